/**
 * Issue 5, check 1: a whole booking over each real channel webhook against the sandbox mounted in the
 * server, with every outbound platform call captured and held to the platform's documented limits.
 */
import { describe, expect, it } from 'vitest';
import { findOptOutInstructions, segmentsOf } from '../../channels/sms/index.js';
import type { ChannelName } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { eventually, GRAPH_MESSAGES_URL, FACILITY, messengerText, PAGE_ID, postMessenger, postSms, postViber, SECRETS, SMS_FROM, smsParams, staffCall, viberText, useService } from '../support/frontdesk.js';

const svc = useService();

/** the patient's side of a booking, whatever order the flow asks in (labels as locales/en.json has them) */
const PREFERRED = ['Book an appointment', 'I agree', 'Yes, book it', 'Female', 'Consultation'];
const AVOIDED = ['Main menu', 'Later dates', 'More times', 'Another date', 'Try again', "I don't agree", 'Choose another time', 'Talk to staff', 'My appointments'];
/** each channel's patient is a different person (the same details would link them to one patient) */
const PATIENTS = {
  messenger: { name: 'Maria Santos', dob: '15/05/1990', phone: '0917 123 4567' },
  viber: { name: 'Liza Mendoza', dob: 'March 2 1985', phone: '0918 765 4321' },
  sms: { name: 'Bea Garcia', dob: '30/11/1972', phone: '0919 222 3344' },
} as const;
const pickLabel = (labels: string[]) => PREFERRED.find((l) => labels.includes(l)) ?? labels.find((l) => !AVOIDED.includes(l));
function typedAnswer(channel: keyof typeof PATIENTS, text: string): string | undefined {
  const p = PATIENTS[channel];
  const typed: [RegExp, string][] = [
    [/full name/i, p.name],
    [/date of birth/i, p.dob],
    [/mobile number/i, p.phone],
    [/national id/i, 'AB1234567'],
  ];
  return typed.find(([re]) => re.test(text))?.[1];
}
const BOOKED = /You're booked!/;

interface TurnRecord {
  key: string;
  outbound: OutboundMessage[];
}

/**
 * Waits until the inbound event `messageId` has been processed and every reply of its turn has reached a
 * final send record: then every platform call of that turn has been captured.
 */
async function turnSettled(channel: ChannelName, userId: string, messageId: string): Promise<OutboundMessage[]> {
  const contact = await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, channel, userId), `contact ${channel}:${userId}`);
  const turn = await eventually(async () => {
    const t = await svc.fd.store.backend.kv.get<TurnRecord>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `${channel}:${messageId}` ? t : undefined;
  }, `turn of ${channel}:${messageId}`);
  const records = await eventually(async () => {
    const recs = await Promise.all(turn.outbound.map((o) => svc.fd.outbox.record(o.id)));
    return recs.every((r) => r && r.status !== 'queued') ? recs : undefined;
  }, `replies of ${channel}:${messageId} settled`);
  for (const r of records) expect(r).toMatchObject({ status: 'sent' });
  return turn.outbound;
}

async function expectBookedEverywhere(channel: ChannelName, userId: string) {
  const contact = (await svc.fd.store.contacts.byChannelUser(FACILITY, channel, userId))!;
  const ours = await svc.fd.store.appointments.byContact(FACILITY, contact.id);
  expect(ours).toHaveLength(1);
  expect(ours[0]).toMatchObject({ source: 'bot', status: 'SCHEDULED' });
  // the number the patient typed is kept in E.164 (reminders may fall back to it)
  expect(contact.phone).toMatch(/^\+639\d{9}$/);
  const listed = await staffCall(svc.fd.base, 'GET', '/appointments');
  expect(listed.status).toBe(200);
  const theirs = (listed.body.appointments as { appointmentId: string; status: string; patient?: { name?: string } }[]).filter((a) => a.appointmentId === ours[0]!.appointmentId);
  expect(theirs).toHaveLength(1);
  expect(theirs[0]).toMatchObject({ status: 'SCHEDULED', source: 'bot' });
}

describe('a whole booking over each channel, through the real webhooks', () => {
  it('Messenger: quick replies, a button template and a numbered list, all answered as Messenger sends them', async () => {
    const psid = '6785432101234567';
    const to = () => svc.platforms.graph().filter((r) => r.json.recipient?.id === psid);
    const seen = { quickReplies: 0, buttons: 0, numbered: 0 };
    let turn = 0;
    let booked = false;
    let lastText = '';

    let say = messengerText(psid, 'hi');
    for (let step = 0; step < 40 && !booked; step++) {
      const before = to().length;
      const item = say.entry[0]!.messaging[0] as unknown as { message?: { mid: string }; postback?: { mid: string } };
      const mid = item.message?.mid ?? item.postback!.mid;
      expect((await postMessenger(svc.fd.base, say)).status).toBe(200);
      await turnSettled('messenger', psid, mid);
      const sent = to().slice(before).filter((r) => !r.json.sender_action);
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) {
        expect(r.url).toBe(GRAPH_MESSAGES_URL);
        expect(r.json.messaging_type).toBe('RESPONSE');
        expect(r.json).not.toHaveProperty('tag');
        const m = r.json.message as Record<string, any>;
        if (typeof m.text === 'string') expect(m.text.length).toBeLessThanOrEqual(2000);
        if (m.quick_replies) {
          expect(m.quick_replies.length).toBeGreaterThan(0);
          expect(m.quick_replies.length).toBeLessThanOrEqual(13);
          for (const q of m.quick_replies) {
            expect(q.content_type).toBe('text');
            expect(q.title.length).toBeLessThanOrEqual(20);
            expect(q.payload.length).toBeLessThanOrEqual(1000);
          }
        }
        if (m.attachment) {
          expect(m.attachment).toMatchObject({ type: 'template', payload: { template_type: 'button' } });
          expect(m.attachment.payload.text.length).toBeLessThanOrEqual(640);
          expect(m.attachment.payload.buttons.length).toBeLessThanOrEqual(3);
          for (const b of m.attachment.payload.buttons) {
            expect(b.type).toBe('postback');
            expect(b.title.length).toBeLessThanOrEqual(20);
          }
        }
      }
      const last = sent.at(-1)!.json.message as Record<string, any>;
      lastText = last.text ?? last.attachment?.payload?.text ?? '';
      if (sent.some((r) => BOOKED.test(r.json.message?.text ?? ''))) {
        booked = true;
        break;
      }
      turn += 1;
      const now = Date.now() + turn;
      if (last.quick_replies) {
        seen.quickReplies++;
        const qr = last.quick_replies as { title: string; payload: string }[];
        const label = pickLabel(qr.map((q) => q.title));
        expect(label, `no choice to pick after: ${lastText}`).toBeDefined();
        const chosen = qr.find((q) => q.title === label)!;
        // a tapped quick reply arrives as a message whose text is the title and quick_reply.payload the payload
        say = messengerText(psid, chosen.title, { quickReply: chosen.payload, time: now });
      } else if (last.attachment) {
        seen.buttons++;
        const buttons = last.attachment.payload.buttons as { title: string; payload: string }[];
        const label = pickLabel(buttons.map((b) => b.title.replace(/^\d+\.\s*/, ''))) ?? buttons[0]!.title;
        const chosen = buttons.find((b) => b.title.replace(/^\d+\.\s*/, '') === label) ?? buttons[0]!;
        // a tapped postback button: messaging[].postback {title, payload, mid}
        say = {
          object: 'page',
          entry: [{ id: PAGE_ID, time: now, messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now, postback: { mid: `m_pb_${now}`, title: chosen.title, payload: chosen.payload } }] }],
        } as unknown as typeof say;
      } else {
        const numbered = [...lastText.matchAll(/^(\d+)\. (.+)$/gm)].map((m) => ({ n: m[1]!, label: m[2]! }));
        if (numbered.length > 0) {
          seen.numbered++;
          const label = pickLabel(numbered.map((x) => x.label));
          expect(label, `no numbered choice after: ${lastText}`).toBeDefined();
          say = messengerText(psid, numbered.find((x) => x.label === label)!.n, { time: now });
        } else {
          const typed = typedAnswer('messenger', lastText);
          expect(typed, `no answer for: ${lastText}`).toBeDefined();
          say = messengerText(psid, typed!, { time: now });
        }
      }
    }
    expect(booked, `last prompt: ${lastText}`).toBe(true);
    // the first thing the patient reads says they are talking to an automated assistant
    expect(to().find((r) => !r.json.sender_action)!.json.message.text).toMatch(/automated assistant/);
    // the seeded clinic's prompts exercise every rendering: ≤13 short choices, ≤3 long ones, and a long list
    expect(seen.quickReplies).toBeGreaterThan(0);
    expect(seen.buttons).toBeGreaterThan(0);
    expect(seen.numbered).toBeGreaterThan(0);
    await expectBookedEverywhere('messenger', psid);
  });

  it('Viber: keyboard taps come back as text carrying the ActionBody', async () => {
    const userId = '01234567890A=';
    const to = () => svc.platforms.viber().filter((r) => r.json.receiver === userId);
    let booked = false;
    let lastText = '';
    let keyboards = 0;

    let say = viberText(userId, 'hi');
    for (let step = 0; step < 40 && !booked; step++) {
      const before = to().length;
      expect((await postViber(svc.fd.base, say)).status).toBe(200);
      await turnSettled('viber', userId, String(say.message_token));
      const sent = to().slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) {
        expect(r.headers['x-viber-auth-token']).toBe(SECRETS.viberToken);
        expect(r.json).toMatchObject({ type: 'text', receiver: userId });
        expect(r.json.min_api_version).toBeGreaterThanOrEqual(1);
        expect(r.json.sender.name.length).toBeGreaterThan(0);
        expect(r.json.sender.name.length).toBeLessThanOrEqual(28);
        expect(r.json.text.length).toBeLessThanOrEqual(7000);
        if (r.json.keyboard) {
          expect(r.json.keyboard.Type).toBe('keyboard');
          expect(r.json.keyboard.Buttons.length).toBeGreaterThan(0);
          for (const b of r.json.keyboard.Buttons) {
            expect(b.ActionType).toBe('reply');
            expect(typeof b.ActionBody).toBe('string');
            expect(b.Columns).toBeGreaterThanOrEqual(1);
            expect(b.Columns).toBeLessThanOrEqual(6);
          }
        }
      }
      if (sent.some((r) => BOOKED.test(r.json.text))) {
        booked = true;
        break;
      }
      const last = sent.at(-1)!.json;
      lastText = last.text;
      const token = 5_100_000_000_000 + step;
      if (last.keyboard) {
        keyboards++;
        const buttons = last.keyboard.Buttons as { Text: string; ActionBody: string }[];
        const label = pickLabel(buttons.map((b) => b.Text));
        expect(label, `no button to tap after: ${lastText}`).toBeDefined();
        // Viber delivers a reply-button tap as a text message whose text is the button's ActionBody
        say = viberText(userId, buttons.find((b) => b.Text === label)!.ActionBody, token);
      } else {
        const typed = typedAnswer('viber', lastText);
        expect(typed, `no answer for: ${lastText}`).toBeDefined();
        say = viberText(userId, typed!, token);
      }
    }
    expect(booked, `last prompt: ${lastText}`).toBe(true);
    expect(keyboards).toBeGreaterThan(0);
    await expectBookedEverywhere('viber', userId);
  });

  it('SMS: numbered choices answered by number, details typed as words, every body within segment limits', async () => {
    const phone = '+639171239876';
    const to = () => svc.platforms.twilio().filter((r) => r.form.To === phone);
    let booked = false;
    let lastText = '';
    let numberedAnswers = 0;

    let say = smsParams(phone, 'Hi');
    for (let step = 0; step < 40 && !booked; step++) {
      const before = to().length;
      const res = await postSms(svc.fd.base, say);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/xml/);
      await turnSettled('sms', phone, say.MessageSid);
      const sent = to().slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) {
        expect(r.url).toBe(`/twilio/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`);
        expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRETS.twilioSid}:${SECRETS.twilioToken}`).toString('base64')}`);
        expect(r.form.From).toBe(SMS_FROM);
        expect(r.form.StatusCallback).toBe('https://bot.example.org/webhooks/sms/status');
        const seg = segmentsOf(r.form.Body!);
        expect(seg.segments).toBeGreaterThan(0);
        expect(seg.segments, r.form.Body).toBeLessThanOrEqual(3);
        expect(findOptOutInstructions(r.form.Body!), r.form.Body).toEqual([]);
      }
      lastText = sent.map((r) => r.form.Body).join('\n');
      if (BOOKED.test(lastText)) {
        booked = true;
        break;
      }
      const numbered = [...sent.at(-1)!.form.Body!.matchAll(/^(\d+)\) (.+)$/gm)].map((m) => ({ n: m[1]!, label: m[2]! }));
      if (numbered.length > 0) {
        const label = pickLabel(numbered.map((x) => x.label));
        expect(label, `no numbered choice after: ${lastText}`).toBeDefined();
        numberedAnswers++;
        say = smsParams(phone, numbered.find((x) => x.label === label)!.n);
      } else {
        const typed = typedAnswer('sms', lastText);
        expect(typed, `no answer for: ${lastText}`).toBeDefined();
        say = smsParams(phone, typed!);
      }
    }
    expect(booked, `last prompt: ${lastText}`).toBe(true);
    expect(numberedAnswers).toBeGreaterThan(2);
    await expectBookedEverywhere('sms', phone);
  });
});
