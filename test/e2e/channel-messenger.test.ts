/**
 * Issue 5, checks 5, 7 and 8 on the whole server: Messenger's 24-hour window as it is now (utility
 * templates, SMS fallback, undeliverable records; never a message tag), Graph's "outside of allowed window"
 * error, the typing indicator, and per-user ordering.
 * Send API shapes: https://developers.facebook.com/docs/messenger-platform/reference/send-api/ and
 * https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/utility-messages
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import type { Config } from '../../src/config/schema.js';
import {
  eventually,
  FACILITY,
  GRAPH_MESSAGES_URL,
  messengerText,
  PAGE_ID,
  postMessenger,
  SECRETS,
  SMS_FROM,
  startFrontdesk,
  startPlatforms,
  testConfig,
  type Platforms,
} from '../support/frontdesk.js';
import { json } from '../support/http-server.js';

type Fd = Awaited<ReturnType<typeof startFrontdesk>>;
const HOUR = 3_600_000;

/** a frontdesk whose clock can be moved forward (the window is judged on its clock) */
async function startWithClock(config: Config) {
  const clock = { shiftMs: 0 };
  const fd = await startFrontdesk(config, { now: () => new Date(Date.now() + clock.shiftMs) });
  return { fd, clock };
}

const channels = (utilityTemplates?: Record<string, string>) => ({
  channels: {
    messenger: { pageId: PAGE_ID, pageAccessToken: SECRETS.pageToken, appSecret: SECRETS.appSecret, verifyToken: SECRETS.verifyToken, ...(utilityTemplates ? { utilityTemplates } : {}) },
    viber: { authToken: SECRETS.viberToken, name: "St Luke's" },
    sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM },
  },
});

let platforms: Platforms;
/** names approved utility templates */
let withTemplates: { fd: Fd; clock: { shiftMs: number } };
/** names none */
let plain: { fd: Fd; clock: { shiftMs: number } };

beforeAll(async () => {
  platforms = await startPlatforms();
  withTemplates = await startWithClock(testConfig({ platformsUrl: platforms.url, facility: channels({ reminder: 'appt_reminder_v1', update: 'appt_update_v1', language: 'en_US' }) }));
  plain = await startWithClock(testConfig({ platformsUrl: platforms.url, facility: channels() }));
});
afterAll(async () => {
  platforms?.respond(undefined);
  await withTemplates?.fd.close();
  await plain?.fd.close();
  await platforms?.close();
});

const graphTo = (psid: string) => platforms.graph().filter((r) => r.json.recipient?.id === psid);
const messagesTo = (psid: string) => graphTo(psid).filter((r) => !r.json.sender_action);
const smsTo = (phone: string) => platforms.twilio().filter((r) => r.form.To === phone);

/** posts a Messenger message and waits until it was processed and its replies reached final records */
async function say(fd: Fd, psid: string, text: string, mid = `m_${randomUUID()}`): Promise<OutboundMessage[]> {
  expect((await postMessenger(fd.base, messengerText(psid, text, { mid }))).status).toBe(200);
  return settled(fd, psid, mid);
}

async function settled(fd: Fd, psid: string, mid: string): Promise<OutboundMessage[]> {
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), `contact ${psid}`);
  const turn = await eventually(async () => {
    const t = await fd.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `messenger:${mid}` ? t : undefined;
  }, `turn of ${mid}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => fd.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

/** what reminders and appointment updates do: a push through the outbox, and its final record */
async function push(fd: Fd, psid: string, purpose: SendPurpose, text = 'Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.') {
  const contact = await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid);
  const msg: OutboundMessage = {
    id: `e2e-msgr-${purpose}-${randomUUID()}`,
    facilityId: FACILITY,
    channel: 'messenger',
    channelUserId: psid,
    purpose,
    locale: 'en',
    reply: { text },
    ...(contact ? { contactId: contact.id } : {}),
  };
  expect(await fd.outbox.enqueue(msg)).toBe(true);
  return eventually(async () => {
    const r = await fd.outbox.record(msg.id);
    return r && r.status !== 'queued' ? r : undefined;
  }, `record of ${msg.id}`, 1200);
}

describe('the 24-hour window', () => {
  it('inside the window an update goes as messaging_type UPDATE, never with a tag', async () => {
    const { fd } = withTemplates;
    const psid = '8100000000000001';
    await say(fd, psid, 'hi');
    const before = messagesTo(psid).length;
    const rec = await push(fd, psid, 'update', 'Your appointment was moved to Tuesday 10:00 AM.');
    expect(rec).toMatchObject({ status: 'sent', channel: 'messenger' });
    const [sent, ...more] = messagesTo(psid).slice(before);
    expect(more).toHaveLength(0);
    expect(sent!.json).toEqual({ recipient: { id: psid }, messaging_type: 'UPDATE', message: { text: 'Your appointment was moved to Tuesday 10:00 AM.' } });
  });

  it('outside it, with approved utility templates named, a reminder and an update go as utility template sends', async () => {
    const { fd, clock } = withTemplates;
    const psid = '8100000000000002';
    await say(fd, psid, 'hi');
    clock.shiftMs = 25 * HOUR;
    try {
      const before = messagesTo(psid).length;
      const reminder = await push(fd, psid, 'reminder');
      const update = await push(fd, psid, 'update', 'Your appointment was moved to Tuesday 10:00 AM.');
      expect(reminder).toMatchObject({ status: 'sent', channel: 'messenger' });
      expect(update).toMatchObject({ status: 'sent', channel: 'messenger' });
      const sent = messagesTo(psid).slice(before);
      expect(sent).toHaveLength(2);
      for (const r of sent) {
        expect(r.url).toBe(GRAPH_MESSAGES_URL);
        expect(r.json).not.toHaveProperty('tag');
        expect(r.json.messaging_type).toBe('UTILITY');
      }
      expect(sent[0]!.json.message).toEqual({
        template: { name: 'appt_reminder_v1', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.' }] }] },
      });
      expect(sent[1]!.json.message.template).toMatchObject({ name: 'appt_update_v1', language: { code: 'en_US' } });
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('outside it, without templates, a reminder goes by SMS when the contact has a phone', async () => {
    const { fd, clock } = plain;
    const psid = '8200000000000001';
    const phone = '+639179990001';
    await say(fd, psid, 'hi');
    const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
    // the mobile number the patient typed while booking, as the flow records it on the contact
    await fd.store.contacts.update(FACILITY, contact.id, (c) => ({ ...c, phone }));
    clock.shiftMs = 25 * HOUR;
    try {
      const before = messagesTo(psid).length;
      const rec = await push(fd, psid, 'reminder');
      expect(messagesTo(psid).length).toBe(before);
      expect(rec).toMatchObject({ status: 'sent', channel: 'sms', fallbackFrom: 'messenger' });
      expect(smsTo(phone).map((r) => r.form.Body)).toEqual(['Reminder: your appointment with Dr. Santos is tomorrow at 9:00 AM.']);
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('outside it, without templates or a phone, an update is recorded undeliverable (outside_window) and listed for staff', async () => {
    const { fd, clock } = plain;
    const psid = '8200000000000002';
    await say(fd, psid, 'hi');
    clock.shiftMs = 25 * HOUR;
    try {
      const before = graphTo(psid).length;
      const rec = await push(fd, psid, 'update');
      expect(rec).toMatchObject({ status: 'undeliverable', reason: 'outside_window', channel: 'messenger' });
      expect(graphTo(psid).length).toBe(before);
      const url = `${fd.base}/staff/v1/facilities/${FACILITY}/undeliverable`;
      expect((await fetch(url)).status).toBe(401);
      const res = await fetch(url, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
      expect(res.status).toBe(200);
      const items = ((await res.json()) as { items: { id: string; reason: string; contactId?: string }[] }).items;
      expect(items.find((i) => i.id === rec.id)).toMatchObject({ reason: 'outside_window' });
      const metrics = await (await fetch(`${fd.base}/metrics`)).text();
      expect(metrics).toMatch(/frontdesk_sends_total\{[^}]*status="undeliverable"[^}]*\} [1-9]/);
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('Graph answering code 10 / subcode 2018278 is recorded failed, not retried, and the server stays healthy', async () => {
    const { fd } = plain;
    const psid = '8200000000000003';
    await say(fd, psid, 'hi');
    platforms.respond((req, _n, res) => {
      if (!req.url.startsWith('/graph/') || !req.body.includes(psid) || req.body.includes('sender_action')) return false;
      json(res, 400, { error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278, fbtrace_id: 'AbCdEfGh123' } });
      return true;
    });
    try {
      const before = graphTo(psid).length;
      const rec = await push(fd, psid, 'update');
      expect(rec).toMatchObject({ status: 'failed', reason: 'outside_window', code: '10/2018278', attempts: 1 });
      expect(graphTo(psid).length - before).toBe(1);
      expect((await fetch(`${fd.base}/healthz`)).status).toBe(200);
    } finally {
      platforms.respond(undefined);
    }
    // and the conversation goes on
    const replies = await say(plain.fd, psid, 'menu');
    expect(replies.length).toBeGreaterThan(0);
  });
});

describe('typing indicator', () => {
  it('a quick Messenger turn is answered without one (the indicator is for turns that wait; channels/messenger/send.test.ts)', async () => {
    const { fd } = plain;
    const psid = '8300000000000001';
    await say(fd, psid, 'hi');
    await new Promise((r) => setTimeout(r, 500));
    expect(graphTo(psid).length).toBeGreaterThan(0);
    expect(graphTo(psid).filter((r) => r.json.sender_action)).toEqual([]);
    expect(graphTo(psid)[0]!.url).toBe(GRAPH_MESSAGES_URL);
  });
});

describe('one user’s events are processed in arrival order', () => {
  /** the order our replies reached the platform: the stub numbers its answers (message_id m_<n>) */
  async function sendOrder(fd: Fd, outbound: OutboundMessage[]): Promise<number[]> {
    const recs = await Promise.all(outbound.map((o) => fd.outbox.record(o.id)));
    return recs.map((r) => Number(r!.platformMessageIds.at(-1)!.replace(/^m_/, '')));
  }

  async function expectRepliesInOrder(fd: Fd, psid: string, mids: string[]) {
    const orders: number[][] = [];
    // the last one settles after the others: each turn's record is read as soon as it is the current one
    for (const mid of mids) orders.push(await sendOrder(fd, await settledOrLater(fd, psid, mid)));
    for (const o of orders) expect(o.length).toBeGreaterThan(0);
    for (let i = 1; i < orders.length; i++) expect(Math.min(...orders[i]!), `replies of message ${i + 1} after those of message ${i}`).toBeGreaterThan(Math.max(...orders[i - 1]!));
  }

  /** the outbound of a turn, whether or not later turns have run since (their ids are deterministic) */
  async function settledOrLater(fd: Fd, psid: string, mid: string): Promise<OutboundMessage[]> {
    const ids = (n: number) => `messenger:${mid}:${n}`;
    const out: OutboundMessage[] = [];
    await eventually(async () => (await fd.outbox.record(ids(0)))?.status === 'sent', `first reply to ${mid}`);
    for (let n = 0; ; n++) {
      const rec = await fd.outbox.record(ids(n));
      if (!rec) break;
      await eventually(async () => (await fd.outbox.record(ids(n)))?.status !== 'queued', `reply ${n} to ${mid}`);
      out.push({ id: ids(n) } as OutboundMessage);
    }
    return out;
  }

  it('three messages in one batched delivery', async () => {
    const { fd } = plain;
    const psid = '8400000000000001';
    await say(fd, psid, 'hi');
    const now = Date.now();
    const mids = ['m_batch_1', 'm_batch_2', 'm_batch_3'];
    const texts = ['language', 'menu', 'help'];
    const body = {
      object: 'page',
      entry: [{ id: PAGE_ID, time: now, messaging: mids.map((mid, i) => ({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now + i, message: { mid, text: texts[i] } })) }],
    };
    expect((await postMessenger(fd.base, body)).status).toBe(200);
    await expectRepliesInOrder(fd, psid, mids);
  });

  it('three deliveries posted one after another without waiting for the replies', async () => {
    const { fd } = plain;
    const psid = '8400000000000002';
    await say(fd, psid, 'hi');
    const mids = ['m_seq_1', 'm_seq_2', 'm_seq_3'];
    const texts = ['language', 'menu', 'help'];
    for (const [i, mid] of mids.entries()) expect((await postMessenger(fd.base, messengerText(psid, texts[i]!, { mid }))).status).toBe(200);
    await expectRepliesInOrder(fd, psid, mids);
  });

  it('three deliveries posted at the same moment: each processed once, replies never interleaved', async () => {
    const { fd } = plain;
    const psid = '8400000000000003';
    await say(fd, psid, 'hi');
    const mids = ['m_par_1', 'm_par_2', 'm_par_3'];
    const texts = ['language', 'menu', 'help'];
    const res = await Promise.all(mids.map((mid, i) => postMessenger(fd.base, messengerText(psid, texts[i]!, { mid }))));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    const orders = await Promise.all(mids.map(async (mid) => sendOrder(fd, await settledOrLater(fd, psid, mid))));
    // whatever order they arrived in, each turn's replies form one block
    const blocks = orders.map((o) => [Math.min(...o), Math.max(...o)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]![0]).toBeGreaterThan(blocks[i - 1]![1]);
  });
});

describe('read receipts (issue 12: a watermark was looked up as a message id and never applied)', () => {
  it("marks every reply sent before a read's watermark as read, and none after it", async () => {
    const { fd } = plain;
    const psid = '8300000000000077';
    const first = await say(fd, psid, 'hi');
    const watermark = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 20));
    const later = await say(fd, psid, 'menu');
    const read = { object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), read: { watermark } }] }] };
    expect((await postMessenger(fd.base, read)).status).toBe(200);
    await eventually(async () => (await Promise.all(first.map((o) => fd.outbox.record(o.id)))).every((r) => r?.deliveryStatus === 'read'), 'the earlier replies read');
    for (const o of later) expect((await fd.outbox.record(o.id))?.deliveryStatus).not.toBe('read');
  });
});
