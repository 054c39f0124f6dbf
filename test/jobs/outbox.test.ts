import { channelCatalog } from '../../channels/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelName, Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendPurpose } from '../../src/core/messages.js';
import { createOutbox, type Outbox, type SendRecord } from '../../src/jobs/outbox.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { createHttpSender, startPlatformStub } from '../support/capture-sender.js';

const FACILITY = 'st-lukes';
const PHONE = '+639171234567';
const dir = mkdtempSync(join(tmpdir(), 'fd-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let file = 0;
let clock = Date.parse('2030-03-04T09:00:00Z');
let store: OpenedStore;
let outbox: Outbox;
let stub: Awaited<ReturnType<typeof startPlatformStub>>;
let outcomes: SendRecord[];

async function setup(channels: ChannelName[] = ['messenger', 'viber', 'sms']) {
  stub = await startPlatformStub();
  store = await openStore(`sqlite:${join(dir, `outbox-${file++}.sqlite`)}`, { namespace: 'outbox' });
  outcomes = [];
  outbox = createOutbox({
    serial: store.serial,
    channels: channelCatalog,
    retryMs: 1,
    records: store.sendRecords,
    contacts: store.contacts,
    senders: Object.fromEntries(channels.map((c) => [c, createHttpSender(c, stub.url)])),
    now: () => new Date(clock),
    onOutcome: (rec) => outcomes.push(rec),
  });
}

beforeEach(() => setup());
afterEach(async () => {
  await outbox.queue.stop();
  await store.close();
  await stub.close();
});

/** runs what is ready, waiting out the (1 ms) retry backoffs, until nothing is left */
async function drain() {
  for (let i = 0; i < 10; i++) {
    await outbox.queue.runReady();
    clock += 5 * 60_000;
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;
function message(over: Partial<OutboundMessage> & { contact: Contact; purpose?: SendPurpose }): OutboundMessage {
  const { contact, ...rest } = over;
  const channel = rest.channel ?? 'messenger';
  const channelUserId = contact.channels![channel]!.userId;
  return {
    id: `out-${++seq}`,
    facilityId: FACILITY,
    channel,
    channelUserId,
    purpose: 'response',
    locale: 'en',
    reply: { text: 'Your appointment is tomorrow at 9:00.' },
    contactId: contact.id,
    ...rest,
  };
}

async function messengerContact(opts: { lastInboundHoursAgo: number; sms?: { optedOut: boolean } }): Promise<Contact> {
  const psid = `psid-${++seq}`;
  const c = await store.contacts.ensureForChannelUser(FACILITY, 'messenger', psid);
  return store.contacts.update(FACILITY, c.id, (x) => {
    x.channels = { ...x.channels, messenger: { userId: psid, lastInboundAt: new Date(clock - opts.lastInboundHoursAgo * 3600_000).toISOString() } };
    if (opts.sms) x.channels.sms = { userId: PHONE, optedOut: opts.sms.optedOut };
  });
}

describe('outbox', () => {
  it('sends a message once even when it is enqueued twice, and a second run of its job sends nothing', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 1 });
    const msg = message({ contact });
    expect(await outbox.enqueue(msg)).toBe(true);
    expect(await outbox.enqueue(msg)).toBe(false);
    expect((await outbox.record(msg.id))?.status).toBe('queued');
    await drain();

    expect(stub.sends).toEqual([{ channel: 'messenger', to: contact.channels?.messenger!.userId, text: msg.reply.text, ref: msg.id }]);
    expect(await outbox.record(msg.id)).toMatchObject({ id: msg.id, status: 'sent', channel: 'messenger', attempts: 1, platformMessageIds: ['messenger-mid-1'] });
    expect(await outbox.enqueue(msg)).toBe(false);

    // the same send job running again (as after a crash) finds the record settled
    await outbox.queue.push({ id: `send:${msg.id}:rerun`, key: 'rerun', payload: { messages: [msg] } });
    await drain();
    expect(stub.sends).toHaveLength(1);
    expect(outbox.stats()).toEqual({ sent: 1, failed: 0, undeliverable: 0 });
    expect(outcomes.map((r) => r.status)).toEqual(['sent']);
  });

  it('falls back to SMS when Messenger refuses a reminder outside the 24 h window', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 30, sms: { optedOut: false } });
    const msg = message({ contact, purpose: 'reminder', appointmentId: 'A-1' });
    await outbox.enqueue(msg);
    await drain();

    expect(stub.sends).toEqual([{ channel: 'sms', to: PHONE, text: msg.reply.text, ref: msg.id }]);
    expect(await outbox.record(msg.id)).toMatchObject({ status: 'sent', channel: 'sms', fallbackFrom: 'messenger', appointmentId: 'A-1', purpose: 'reminder' });
  });

  it('records undeliverable, for staff, when the channel refuses and there is no SMS to fall back on', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 30 });
    const optedOut = await messengerContact({ lastInboundHoursAgo: 30, sms: { optedOut: true } });
    const a = message({ contact, purpose: 'update' });
    const b = message({ contact: optedOut, purpose: 'broadcast' });
    await outbox.enqueue(a);
    await outbox.enqueue(b);
    await drain();

    expect(stub.sends).toEqual([]);
    expect(await outbox.record(a.id)).toMatchObject({ status: 'undeliverable', reason: 'outside_window' });
    expect(await outbox.record(b.id)).toMatchObject({ status: 'undeliverable', reason: 'outside_window' });
    expect((await outbox.undeliverable(FACILITY)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(await outbox.undeliverable('other-facility')).toEqual([]);
    expect(outbox.stats()).toEqual({ sent: 0, failed: 0, undeliverable: 2 });
    expect(outcomes).toHaveLength(2);
  });

  it('does not turn a conversational response into an SMS', async () => {
    const psid = 'psid-viber';
    const c = await store.contacts.ensureForChannelUser(FACILITY, 'viber', psid);
    const contact = await store.contacts.update(FACILITY, c.id, (x) => {
      x.channels = { ...x.channels, viber: { userId: psid, subscribed: false }, sms: { userId: PHONE, optedOut: false } };
    });
    const msg = message({ contact, channel: 'viber', purpose: 'welcome' });
    await outbox.enqueue(msg);
    await drain();
    expect(stub.sends).toEqual([]);
    expect(await outbox.record(msg.id)).toMatchObject({ status: 'undeliverable', reason: 'not_subscribed', channel: 'viber' });
  });

  it('records undeliverable when the facility has no SMS channel to fall back on', async () => {
    await outbox.queue.stop();
    await store.close();
    await stub.close();
    await setup(['messenger']);
    const contact = await messengerContact({ lastInboundHoursAgo: 30, sms: { optedOut: false } });
    const msg = message({ contact, purpose: 'reminder' });
    await outbox.enqueue(msg);
    await drain();
    expect(stub.sends).toEqual([]);
    expect(await outbox.record(msg.id)).toMatchObject({ status: 'undeliverable', reason: 'outside_window' });
  });

  it("marks the contact's SMS opted out when Twilio answers 21610, and sends no more SMS to it", async () => {
    const contact = await store.contacts.ensureForPhone(FACILITY, PHONE);
    expect(contact.channels?.sms?.optedOut).toBeFalsy();
    stub.script('sms', {
      status: 400,
      body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 },
    });
    const first = message({ contact, channel: 'sms', purpose: 'update' });
    await outbox.enqueue(first);
    await drain();
    expect(await outbox.record(first.id)).toMatchObject({ status: 'failed', code: '21610', attempts: 1 });
    expect((await store.contacts.byVerifiedPhone(FACILITY, PHONE))?.channels?.sms?.optedOut).toBe(true);

    const second = message({ contact, channel: 'sms', purpose: 'reminder' });
    await outbox.enqueue(second);
    await drain();
    expect(stub.sends).toHaveLength(1);
    expect(await outbox.record(second.id)).toMatchObject({ status: 'undeliverable', reason: 'opted_out' });
    expect(outbox.stats()).toEqual({ sent: 0, failed: 1, undeliverable: 1 });
  });

  it('retries a retryable failure and records failed once the attempts are spent', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 1 });
    stub.script('messenger', { status: 503, body: { error: { message: 'busy' } } });
    const retried = message({ contact });
    await outbox.enqueue(retried);
    await drain();
    expect(await outbox.record(retried.id)).toMatchObject({ status: 'sent', attempts: 2 });

    const busy = { status: 500, body: { message: 'down' } };
    stub.script('messenger', busy, busy, busy);
    const doomed = message({ contact });
    await outbox.enqueue(doomed);
    await drain();
    expect(await outbox.record(doomed.id)).toMatchObject({ status: 'failed', reason: 'down', attempts: 3 });
    expect(stub.sends.filter((s) => s.ref === doomed.id)).toHaveLength(3);
    // the failure is the message's record; the queue item itself completed and left nothing behind
    expect(await outbox.queue.stats()).toMatchObject({ depth: 0, dead: 0 });
  });

  it('sends the replies of one turn in order, and a retry of the batch does not repeat what went out', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 1 });
    const turn = [1, 2, 3].map((n) => message({ contact, reply: { text: `reply ${n}` } }));
    stub.script('messenger', { status: 200, body: { message_id: 'mid-a' } }, { status: 502, body: { message: 'bad gateway' } });
    expect(await outbox.enqueueBatch(turn)).toBe(true);
    expect(await outbox.enqueueBatch(turn)).toBe(false);
    await drain();

    expect(stub.sends.map((s) => s.text)).toEqual(['reply 1', 'reply 2', 'reply 2', 'reply 3']);
    for (const m of turn) expect((await outbox.record(m.id))?.status).toBe('sent');
    expect(await outbox.enqueueBatch(turn)).toBe(false);
  });

  it('applies delivery receipts by platform message id, keeping the latest', async () => {
    const contact = await messengerContact({ lastInboundHoursAgo: 1 });
    const msg = message({ contact });
    await outbox.enqueue(msg);
    await drain();
    const base = { facilityId: FACILITY, channel: 'messenger' as const, platformMessageId: 'messenger-mid-1' };
    await outbox.applyReceipt({ ...base, status: 'delivered', at: '2030-03-04T09:01:00Z' });
    expect(await outbox.record(msg.id)).toMatchObject({ deliveryStatus: 'delivered' });
    await outbox.applyReceipt({ ...base, status: 'read', at: '2030-03-04T09:05:00Z' });
    await outbox.applyReceipt({ ...base, status: 'delivered', at: '2030-03-04T09:02:00Z' }); // late and older
    expect(await outbox.record(msg.id)).toMatchObject({ status: 'sent', deliveryStatus: 'read', deliveryAt: '2030-03-04T09:05:00Z' });
    await outbox.applyReceipt({ ...base, platformMessageId: 'unknown', status: 'failed', at: '2030-03-04T09:06:00Z' });
    await outbox.applyReceipt({ ...base, channel: 'viber', status: 'failed', at: '2030-03-04T09:06:00Z' });
    expect((await outbox.record(msg.id))?.deliveryStatus).toBe('read');

    const sms = await store.contacts.ensureForPhone(FACILITY, '+639170000001');
    const text = message({ contact: sms, channel: 'sms', purpose: 'update' });
    await outbox.enqueue(text);
    await drain();
    const pmid = (await outbox.record(text.id))!.platformMessageIds[0]!;
    await outbox.applyReceipt({ facilityId: FACILITY, channel: 'sms', platformMessageId: pmid, status: 'undelivered', errorCode: '30003', at: '2030-03-04T10:00:00Z' });
    expect(await outbox.record(text.id)).toMatchObject({ deliveryStatus: 'undelivered', deliveryErrorCode: '30003' });
  });
});
