/**
 * Issue 12: the fourth channel, WhatsApp Cloud API, on the whole server: the subscription handshake, signed
 * `messages` webhooks (X-Hub-Signature-256 with the app secret, verified before parsing), a whole booking
 * answered with reply buttons, lists and numbered text as a WhatsApp user taps them, `statuses` receipts, and
 * the 24-hour customer-service window (utility templates outside it, else the SMS fallback).
 * Payloads: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview and
 * the messages / statuses webhook references; sends: POST /{phone-number-id}/messages.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import {
  eventually,
  FACILITY,
  postWhatsApp,
  SECRETS,
  SMS_FROM,
  startFrontdesk,
  startPlatforms,
  testConfig,
  WA_NUMBER_ID,
  whatsappChannel,
  whatsappMessage,
  whatsappSignature,
  type Platforms,
} from '../support/frontdesk.js';

type Fd = Awaited<ReturnType<typeof startFrontdesk>>;
const HOUR = 3_600_000;
const BOOKED = /You're booked!/;
const PREFERRED = ['Book an appointment', 'I agree', 'Yes, book it', 'Female', 'Consultation'];
const AVOIDED = ['Main menu', 'Later dates', 'More times', 'Another date', 'Try again', "I don't agree", 'Choose another time', 'Talk to staff', 'My appointments'];
const pickLabel = (labels: string[]) => PREFERRED.find((l) => labels.includes(l)) ?? labels.find((l) => !AVOIDED.includes(l.replace(/^\d+\.\s*/, '')));
const TYPED: [RegExp, string][] = [
  [/full name/i, 'Siti Rahayu'],
  [/date of birth/i, '12 August 1988'],
  [/mobile number/i, '0917 555 0101'],
  [/national id/i, 'AB1234567'],
];

let platforms: Platforms;
let fd: Fd;
const clock = { shiftMs: 0 };

beforeAll(async () => {
  platforms = await startPlatforms();
  const facility = {
    channels: {
      whatsapp: whatsappChannel({ reminder: 'appointment_reminder', update: 'appointment_update', language: 'en_US' }),
      sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM },
    },
  };
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, facility }), { now: () => new Date(Date.now() + clock.shiftMs) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const sentTo = (waId: string) => platforms.whatsapp().filter((r) => r.json.to === waId);

/** posts a webhook and waits until its turn ran and every reply reached a final send record */
async function say(waId: string, body: ReturnType<typeof whatsappMessage>): Promise<OutboundMessage[]> {
  const mid = body.entry[0]!.changes[0]!.value.messages[0]!.id;
  expect((await postWhatsApp(fd.base, body)).status).toBe(200);
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'whatsapp', `+${waId}`), `contact ${waId}`);
  const turn = await eventually(async () => {
    const t = await fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `whatsapp:${mid}` ? t : undefined;
  }, `turn of ${mid}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

/** a push (reminder, update) through the outbox to this WhatsApp user, and its final record */
async function push(waId: string, purpose: SendPurpose, text = 'Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.') {
  const contact = await fd.store.contacts.byChannelUser(FACILITY, 'whatsapp', `+${waId}`);
  const msg: OutboundMessage = { id: `e2e-wa-${purpose}-${randomUUID()}`, facilityId: FACILITY, channel: 'whatsapp', channelUserId: `+${waId}`, purpose, locale: 'en', reply: { text }, ...(contact ? { contactId: contact.id } : {}) };
  expect(await fd.outbox.enqueue(msg)).toBe(true);
  return eventually(async () => {
    const r = await fd.outbox.record(msg.id);
    return r && r.status !== 'queued' ? r : undefined;
  }, `record of ${msg.id}`);
}

describe('WhatsApp Cloud API on the whole server', () => {
  it('answers the subscription handshake with the challenge for the right verify token only', async () => {
    const q = (token: string) => `${fd.base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
    const ok = await fetch(q(SECRETS.whatsappVerifyToken));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(q('not-the-token'))).status).toBe(403);
  });

  it('refuses an unsigned, a wrongly signed and a tampered webhook with 401, storing nothing', async () => {
    const waId = '6281200000001';
    const body = JSON.stringify(whatsappMessage(waId, { text: 'hi' }));
    expect((await postWhatsApp(fd.base, body, '')).status).toBe(401);
    expect((await postWhatsApp(fd.base, body, whatsappSignature(body, 'another-apps-secret-0123456'))).status).toBe(401);
    expect((await postWhatsApp(fd.base, body.replace('hi', 'yo'), whatsappSignature(body))).status).toBe(401);
    // a malformed body with a bad signature is refused as unsigned, not as malformed: nothing was parsed
    expect((await postWhatsApp(fd.base, '{"entry": [', 'sha256=00')).status).toBe(401);
    expect(await fd.store.contacts.byChannelUser(FACILITY, 'whatsapp', `+${waId}`)).toBeUndefined();
    // signed but not JSON: a clear 400
    expect((await postWhatsApp(fd.base, '{"entry": [', whatsappSignature('{"entry": ['))).status).toBe(400);
  });

  it('books a whole appointment: reply buttons, lists and numbered text answered as WhatsApp sends taps', async () => {
    const waId = '6281200000002';
    const seen = { buttons: 0, lists: 0, numbered: 0 };
    let lastText = '';
    let booked = false;
    let next = whatsappMessage(waId, { text: 'hi' });
    for (let step = 0; step < 40 && !booked; step++) {
      const before = sentTo(waId).length;
      await say(waId, next);
      const sent = sentTo(waId).slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) {
        expect(r.url).toBe(`/whatsapp/${WA_NUMBER_ID}/messages`);
        expect(r.headers.authorization).toBe(`Bearer ${SECRETS.whatsappToken}`);
        expect(r.json).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: waId });
        if (r.json.type === 'text') expect(r.json.text.body.length).toBeLessThanOrEqual(4096);
        if (r.json.type === 'interactive') {
          const i = r.json.interactive;
          expect(i.body.text.length).toBeLessThanOrEqual(1024);
          if (i.type === 'button') {
            expect(i.action.buttons.length).toBeLessThanOrEqual(3);
            for (const b of i.action.buttons) expect(b.reply.title.length).toBeLessThanOrEqual(20);
          } else {
            expect(i.type).toBe('list');
            expect(i.action.button.length).toBeLessThanOrEqual(20);
            const rows = i.action.sections.flatMap((s: { rows: unknown[] }) => s.rows);
            expect(rows.length).toBeLessThanOrEqual(10);
            for (const row of rows) expect(row.title.length).toBeLessThanOrEqual(24);
          }
        }
      }
      const last = sent.at(-1)!.json;
      lastText = last.type === 'text' ? last.text.body : last.interactive.body.text;
      if (sent.some((r) => BOOKED.test(r.json.type === 'text' ? r.json.text.body : r.json.interactive.body.text))) {
        booked = true;
        break;
      }
      if (last.type === 'interactive' && last.interactive.type === 'button') {
        seen.buttons++;
        const buttons = last.interactive.action.buttons.map((b: { reply: { id: string; title: string } }) => b.reply);
        const label = pickLabel(buttons.map((b: { title: string }) => b.title)) ?? buttons[0].title;
        next = whatsappMessage(waId, { button: buttons.find((b: { title: string }) => b.title === label) });
      } else if (last.type === 'interactive') {
        seen.lists++;
        const rows = last.interactive.action.sections.flatMap((s: { rows: { id: string; title: string }[] }) => s.rows);
        const label = pickLabel(rows.map((r: { title: string }) => r.title)) ?? rows[0].title;
        const row = rows.find((r: { title: string }) => r.title === label);
        next = whatsappMessage(waId, { row: { id: row.id, title: row.title } });
      } else {
        const numbered = [...lastText.matchAll(/^(\d+)\. (.+)$/gm)].map((m) => ({ n: m[1]!, label: m[2]! }));
        if (numbered.length > 0) {
          seen.numbered++;
          const label = pickLabel(numbered.map((x) => x.label));
          next = whatsappMessage(waId, { text: numbered.find((x) => x.label === label)!.n });
        } else {
          const typed = TYPED.find(([re]) => re.test(lastText))?.[1];
          expect(typed, `no answer for: ${lastText}`).toBeDefined();
          next = whatsappMessage(waId, { text: typed! });
        }
      }
    }
    expect(booked, `last prompt: ${lastText}`).toBe(true);
    expect(seen.buttons + seen.lists).toBeGreaterThan(0);
    const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'whatsapp', `+${waId}`))!;
    expect(contact.channels?.whatsapp).toMatchObject({ userId: `+${waId}` });
    const ours = await fd.store.appointments.byContact(FACILITY, contact.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ source: 'bot', status: 'SCHEDULED' });
  });

  it('a webhook delivered twice is one turn: the second is acknowledged and sends nothing', async () => {
    const waId = '6281200000003';
    const body = whatsappMessage(waId, { text: 'hi' });
    await say(waId, body);
    const before = sentTo(waId).length;
    expect((await postWhatsApp(fd.base, body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(waId).length).toBe(before);
  });

  it('applies statuses webhooks to the send record (delivered, then read)', async () => {
    const waId = '6281200000004';
    const replies = await say(waId, whatsappMessage(waId, { text: 'hi' }));
    const rec = (await fd.outbox.record(replies[0]!.id))!;
    const wamid = rec.platformMessageIds[0]!;
    expect(wamid).toMatch(/^wamid\./);
    const status = (s: string) => ({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WA_NUMBER_ID }, statuses: [{ id: wamid, status: s, timestamp: String(Math.floor(Date.now() / 1000) + (s === 'read' ? 2 : 1)), recipient_id: waId }] } }] }],
    });
    expect((await postWhatsApp(fd.base, status('delivered'))).status).toBe(200);
    await eventually(async () => ((await fd.outbox.record(rec.id))?.deliveryStatus === 'delivered' ? true : undefined), 'delivered applied');
    expect((await postWhatsApp(fd.base, status('read'))).status).toBe(200);
    await eventually(async () => ((await fd.outbox.record(rec.id))?.deliveryStatus === 'read' ? true : undefined), 'read applied');
  });

  it('inside the window a push is free-form; outside it a reminder goes as the approved utility template', async () => {
    const waId = '6281200000005';
    await say(waId, whatsappMessage(waId, { text: 'hi' }));
    const before = sentTo(waId).length;
    expect(await push(waId, 'update', 'Your appointment was moved to Tuesday 10:00 AM.')).toMatchObject({ status: 'sent', channel: 'whatsapp' });
    expect(sentTo(waId).slice(before)[0]!.json).toMatchObject({ type: 'text', text: { body: 'Your appointment was moved to Tuesday 10:00 AM.' } });
    clock.shiftMs = 25 * HOUR;
    try {
      const outside = sentTo(waId).length;
      expect(await push(waId, 'reminder')).toMatchObject({ status: 'sent', channel: 'whatsapp' });
      const [template, ...more] = sentTo(waId).slice(outside);
      expect(more).toHaveLength(0);
      expect(template!.json).toMatchObject({
        type: 'template',
        template: { name: 'appointment_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.' }] }] },
      });
      // a conversational answer outside the window is not sent (the platform would refuse it)
      expect(await push(waId, 'response', 'late answer')).toMatchObject({ status: 'undeliverable', reason: 'outside_window' });
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('outside the window, with no template for the purpose, an update falls back to SMS at the WhatsApp number', async () => {
    const waId = '639175550199';
    await say(waId, whatsappMessage(waId, { text: 'hi' }));
    clock.shiftMs = 25 * HOUR;
    try {
      const rec = await push(waId, 'broadcast', 'The clinic is closed tomorrow.');
      expect(rec).toMatchObject({ status: 'sent', channel: 'sms', fallbackFrom: 'whatsapp' });
      expect(platforms.twilio().filter((r) => r.form.To === `+${waId}`).at(-1)!.form.Body).toContain('The clinic is closed tomorrow.');
    } finally {
      clock.shiftMs = 0;
    }
  });
});
