/**
 * Issue 13, alerts: a new ticket texts each staff phone in `staffAlerts.sms` (through the facility's Twilio
 * number) and POSTs one `ticket.created` event to `staffAlerts.webhook`, signed with Standard Webhooks and
 * verified here with the `standardwebhooks` package. Ids only: no patient name, number or words. Once per
 * ticket (a handoff asked twice, a redelivered platform webhook); a receiver's 500 is retried; outside staff
 * hours (`hold`) nothing goes until the opening, and a ticket claimed by then alerts nobody.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextStaffOpening, ticketAlertJobs } from '../../src/sync/ticket-alerts.js';
import type { Ticket } from '../../src/store/tickets.js';
import { eventually, FACILITY, messengerText, postMessenger, PUBLIC_URL, SECRETS, SMS_FROM, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';
import { captureServer, type Captured } from '../support/http-server.js';

const HOOK_SECRET = 'whsec_c3RhZmYtYWxlcnRzLXRlc3Qtd2ViaG9vay1zZWNyZXQtMDEyMw==';
const STAFF_PHONES = ['+639171110001', '+639181110002'];
const SMS_TEXT = `frontdesk: a patient at St. Luke's Clinic is waiting for staff (asked for a person). Open ${PUBLIC_URL}/staff/`;

/** the receiver: records every POST, answers with `answer` (default 204) */
async function startReceiver() {
  const state: { answer: (req: Captured) => number } = { answer: () => 204 };
  const srv = await captureServer((req, _n, res) => {
    res.writeHead(state.answer(req));
    res.end();
  });
  const headersOf = (r: Captured) => ({ 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) });
  return {
    url: `${srv.url}/hooks/frontdesk`,
    state,
    /** the requests for one ticket's alert */
    of: (ticketId: string) => srv.requests.filter((r) => r.headers['webhook-id'] === `alert:${ticketId}:webhook`),
    requests: () => srv.requests,
    headersOf,
    /** Webhook.verify on the exact bytes received; throws when the signature does not hold */
    verify: (r: Captured, body = r.body, headers = headersOf(r)) => new Webhook(HOOK_SECRET).verify(body, headers) as Record<string, any>,
    close: srv.close,
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const staffAlerts = (receiver: Receiver, more: Record<string, unknown> = {}) => ({ sms: STAFF_PHONES, webhook: { url: receiver.url, secret: HOOK_SECRET }, ...more });
const smsTo = (platforms: Platforms, to: string) => platforms.twilio().filter((r) => r.form.To === to);
const alertSms = (platforms: Platforms) => platforms.twilio().filter((r) => STAFF_PHONES.includes(r.form.To!));

type Fd = Awaited<ReturnType<typeof startFrontdesk>>;
async function post(fd: Fd, psid: string, text: string, opts: { quickReply?: string; mid?: string; time?: number } = {}) {
  const body = messengerText(psid, text, { mid: opts.mid ?? `m_${randomUUID()}`, ...(opts.quickReply ? { quickReply: opts.quickReply } : {}), time: opts.time ?? Date.now() });
  expect((await postMessenger(fd.base, body)).status).toBe(200);
}
async function handOff(fd: Fd, psid: string, time?: number): Promise<Ticket> {
  await post(fd, psid, 'hi', { ...(time ? { time } : {}) });
  await post(fd, psid, 'Talk to staff', { quickReply: 'menu:staff', ...(time ? { time } : {}) });
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), 'contact');
  return eventually(() => fd.store.tickets.openFor(FACILITY, contact.id), 'ticket opened');
}
const jobState = async (fd: Fd, id: string) => (await fd.queue.get(id))?.state;
const jobsDone = (fd: Fd, ticketId: string) =>
  eventually(async () => ((await Promise.all([`alert:${ticketId}:sms:0`, `alert:${ticketId}:sms:1`, `alert:${ticketId}:webhook`].map((id) => jobState(fd, id)))).every((s) => s === 'done') ? true : undefined), 'alert jobs done');
/** both staff texts of the ticket reached Twilio (their outbox records say sent) */
const textsSent = (fd: Fd, ticketId: string) =>
  eventually(async () => ((await Promise.all(STAFF_PHONES.map((_p, n) => fd.outbox.record(`alert:${ticketId}:sms:${n}`)))).every((r) => r?.status === 'sent') ? true : undefined), 'staff texts sent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const staffClaim = (fd: Fd, id: string) => fetch(`${fd.base}/staff/v1/tickets/${id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.staffToken}` } });

describe('staff alerts, in staff hours', () => {
  let platforms: Platforms;
  let receiver: Receiver;
  let fd: Fd;
  beforeAll(async () => {
    platforms = await startPlatforms();
    receiver = await startReceiver();
    // the test facility's staff hours are around the clock
    fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, facility: { staffAlerts: staffAlerts(receiver) } }));
  });
  afterAll(async () => {
    await fd?.close();
    await receiver?.close();
    await platforms?.close();
  });

  it('a handoff texts each staff phone from the facility number and posts one signed ticket.created: ids only', async () => {
    const psid = '7300000000000001';
    await post(fd, psid, 'I am Maria Santos, 09175550123, I need to move my checkup for my knee');
    const ticket = await handOff(fd, psid);
    expect(ticket.reason).toBe('patient_request');

    await eventually(() => STAFF_PHONES.every((p) => smsTo(platforms, p).length === 1) || undefined, 'an sms to each staff phone');
    for (const p of STAFF_PHONES) {
      const [sms] = smsTo(platforms, p);
      expect(sms!.form).toMatchObject({ To: p, From: SMS_FROM, Body: SMS_TEXT });
      expect(sms!.form.Body).not.toMatch(/Maria|Santos|0917|knee|7300000000000001/);
    }
    const [req] = await eventually(() => (receiver.of(ticket.id).length > 0 ? receiver.of(ticket.id) : undefined), 'webhook posted');
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(receiver.verify(req!)).toEqual({
      type: 'ticket.created',
      timestamp: ticket.createdAt,
      data: { ticketId: ticket.id, facilityId: FACILITY, reason: 'patient_request', createdAt: ticket.createdAt, url: `${PUBLIC_URL}/staff/` },
    });
    expect(req!.body).not.toMatch(/Maria|Santos|0917|knee|7300000000000001|messenger/);
    const rec = await fd.outbox.record(`alert:${ticket.id}:sms:0`);
    expect(rec).toMatchObject({ status: 'sent', channel: 'sms', purpose: 'staff-alert' });
    expect(rec).not.toHaveProperty('contactId');
  });

  it('an open ticket a red flag makes urgent alerts staff again, once, even after it was claimed; ids only', async () => {
    const psid = '7300000000000009';
    const ticket = await handOff(fd, psid);
    await textsSent(fd, ticket.id);
    expect((await staffClaim(fd, ticket.id)).status).toBe(200);
    await post(fd, psid, 'I have chest pain and cannot breathe');
    await post(fd, psid, 'chest pain again, please hurry');
    const urgentSms = (p: string) => smsTo(platforms, p).filter((r) => /URGENT/.test(r.form.Body ?? ''));
    await eventually(() => STAFF_PHONES.every((p) => urgentSms(p).length === 1) || undefined, 'an urgent sms to each staff phone');
    expect(urgentSms(STAFF_PHONES[0]!)[0]!.form.Body).toBe(`frontdesk URGENT: a conversation at St. Luke's Clinic is now urgent (possible emergency). Open ${PUBLIC_URL}/staff/`);
    const urgentHooks = () => receiver.requests().filter((r) => r.headers['webhook-id'] === `alert:${ticket.id}:urgent:webhook`);
    const [req] = await eventually(() => (urgentHooks().length > 0 ? urgentHooks() : undefined), 'urgent webhook posted');
    expect(receiver.verify(req!)).toMatchObject({ type: 'ticket.urgent', data: { ticketId: ticket.id, reason: 'red_flag', urgent: true } });
    expect(req!.body).not.toMatch(/chest|breathe|7300000000000009/);
    await sleep(300);
    expect(urgentHooks()).toHaveLength(1);
    for (const p of STAFF_PHONES) expect(urgentSms(p)).toHaveLength(1);
  });

  it('the signature covers the exact body and id: an altered body, id or a replayed old timestamp does not verify', async () => {
    const ticket = await handOff(fd, '7300000000000002');
    await textsSent(fd, ticket.id);
    const [req] = await eventually(() => (receiver.of(ticket.id).length > 0 ? receiver.of(ticket.id) : undefined), 'webhook posted');
    expect(() => receiver.verify(req!)).not.toThrow();
    const altered = req!.body.replace('"patient_request"', '"too_close"');
    expect(altered).not.toBe(req!.body);
    expect(() => receiver.verify(req!, altered)).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(req!, `${req!.body} `)).toThrow(WebhookVerificationError);
    const headers = receiver.headersOf(req!);
    expect(() => receiver.verify(req!, req!.body, { ...headers, 'webhook-id': 'alert:another:webhook' })).toThrow(WebhookVerificationError);
    // the same body and signature sent again an hour later is refused by its timestamp
    const old = String(Number(headers['webhook-timestamp']) - 3600);
    const replayed = new Webhook(HOOK_SECRET).sign(headers['webhook-id'], new Date(Number(old) * 1000), req!.body);
    expect(() => receiver.verify(req!, req!.body, { ...headers, 'webhook-timestamp': old, 'webhook-signature': replayed })).toThrow(/timestamp/i);
  });

  it('asking again, a redelivered platform webhook and the jobs enqueued again alert once', async () => {
    const psid = '7300000000000003';
    await post(fd, psid, 'hi');
    const mid = `m_${randomUUID()}`;
    await post(fd, psid, 'Talk to staff', { quickReply: 'menu:staff', mid });
    const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), 'contact');
    const ticket = await eventually(() => fd.store.tickets.openFor(FACILITY, contact.id), 'ticket opened');
    await jobsDone(fd, ticket.id);
    await textsSent(fd, ticket.id);
    const textsBefore = alertSms(platforms).length;
    // Messenger delivers the same message again, the patient asks again, a re-applied turn enqueues the same jobs
    await post(fd, psid, 'Talk to staff', { quickReply: 'menu:staff', mid });
    await post(fd, psid, 'Talk to staff', { quickReply: 'menu:staff' });
    const again = await Promise.all(ticketAlertJobs(ticket, fd.config.facilities[0]!, new Date()).map((j) => fd.queue.enqueue(j)));
    expect(again).toEqual([false, false, false]);
    await eventually(async () => ((await fd.store.tickets.get(FACILITY, ticket.id))!.messages.filter((m) => m.from === 'patient').length >= 2 ? true : undefined), 'second ask reached the ticket');
    await sleep(400);
    expect(receiver.of(ticket.id)).toHaveLength(1);
    expect(alertSms(platforms)).toHaveLength(textsBefore);
  });

  it('a receiver answering 500 gets the same event again, signed anew, and it is delivered once', async () => {
    let failed = false;
    receiver.state.answer = (req) => {
      if (failed || !String(req.headers['webhook-id']).startsWith('alert:')) return 204;
      failed = true;
      return 500;
    };
    try {
      const ticket = await handOff(fd, '7300000000000004');
      await eventually(async () => ((await jobState(fd, `alert:${ticket.id}:webhook`)) === 'done' ? true : undefined), 'webhook job done after a retry');
      const reqs = receiver.of(ticket.id);
      expect(reqs).toHaveLength(2);
      expect(reqs.map((r) => receiver.verify(r))).toEqual([expect.objectContaining({ type: 'ticket.created' }), expect.objectContaining({ type: 'ticket.created' })]);
      expect(reqs[1]!.body).toBe(reqs[0]!.body);
      expect((await fd.queue.get(`alert:${ticket.id}:webhook`))!.attempts).toBe(2);
      await sleep(300);
      expect(receiver.of(ticket.id)).toHaveLength(2);
    } finally {
      receiver.state.answer = () => 204;
    }
  });
});

/**
 * Outside staff hours: the hours are chosen to open two minutes from now (Manila), so the clock driven to the
 * opening stays within Standard Webhooks' five-minute tolerance and the receiver verifies as it would live.
 */
describe('staff alerts, outside staff hours (hold)', () => {
  let platforms: Platforms;
  let receiver: Receiver;
  let fd: Fd;
  const clock = { shiftMs: 0 };
  const opening = DateTime.now().setZone('Asia/Manila').plus({ minutes: 2 }).startOf('minute');
  const closing = opening.plus({ hours: 1 });
  const staffHours = { days: [opening.weekday], from: opening.toFormat('HH:mm'), to: closing.weekday === opening.weekday ? closing.toFormat('HH:mm') : '24:00' };
  beforeAll(async () => {
    platforms = await startPlatforms();
    receiver = await startReceiver();
    fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, facility: { staffHours, staffAlerts: staffAlerts(receiver) } }), { now: () => new Date(Date.now() + clock.shiftMs) });
  });
  afterAll(async () => {
    await fd?.close();
    await receiver?.close();
    await platforms?.close();
  });

  it('nothing is sent until the opening; then the waiting ticket alerts, the one claimed meanwhile does not', async () => {
    const waiting = await handOff(fd, '7300000000000011');
    const claimed = await handOff(fd, '7300000000000012');
    const held = await fd.queue.get(`alert:${waiting.id}:webhook`);
    expect(held).toMatchObject({ state: 'pending', runAt: opening.toMillis() });
    expect((await fd.queue.get(`alert:${waiting.id}:sms:1`))!.runAt).toBe(opening.toMillis());
    expect((await staffClaim(fd, claimed.id)).status).toBe(200);
    await sleep(400);
    expect(alertSms(platforms)).toHaveLength(0);
    expect(receiver.of(waiting.id)).toHaveLength(0);

    clock.shiftMs = opening.toMillis() - Date.now() + 1_000;
    await eventually(() => receiver.of(waiting.id).length === 1 || undefined, 'held webhook sent at the opening');
    await eventually(() => STAFF_PHONES.every((p) => smsTo(platforms, p).length === 1) || undefined, 'held texts sent at the opening');
    expect(receiver.verify(receiver.of(waiting.id)[0]!).data).toMatchObject({ ticketId: waiting.id });
    expect(Number(receiver.headersOf(receiver.of(waiting.id)[0]!)['webhook-timestamp']) * 1000).toBeGreaterThanOrEqual(opening.toMillis());

    await eventually(async () => ((await Promise.all(['sms:0', 'sms:1', 'webhook'].map((k) => jobState(fd, `alert:${claimed.id}:${k}`)))).every((s) => s === 'done') ? true : undefined), 'claimed ticket jobs ran');
    expect(receiver.of(claimed.id)).toHaveLength(0);
    expect(alertSms(platforms)).toHaveLength(STAFF_PHONES.length);
  });
});

describe('when alerts run', () => {
  const hours = { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '17:00' };
  const ticket = { id: `${FACILITY}.0123456789abcdef`, facilityId: FACILITY, createdAt: '2026-12-06T14:00:00.000Z' } as Ticket;
  const facility = (staffAlerts: Record<string, unknown>) =>
    testConfig({ platformsUrl: 'http://127.0.0.1:9', facility: { staffHours: hours, staffAlerts: { webhook: { url: 'https://hooks.example.org/fd', secret: HOOK_SECRET }, ...staffAlerts } } }).facilities[0]!;

  it('outside hours a held alert waits for the next opening (Sunday night → Monday 08:00; Saturday 17:00 → Monday); in hours or with send, now', () => {
    expect(nextStaffOpening(new Date('2026-12-06T14:00:00Z'), 'Asia/Manila', hours)!.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextStaffOpening(new Date('2026-12-05T09:00:00Z'), 'Asia/Manila', hours)!.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextStaffOpening(new Date('2026-12-07T02:00:00Z'), 'Asia/Manila', hours)!.toISOString()).toBe('2026-12-07T02:00:00.000Z');
    expect(nextStaffOpening(new Date('2026-12-07T02:00:00Z'), 'Asia/Manila', { days: [1], from: '09:00', to: '09:00' })).toBeUndefined();

    const sundayNight = new Date('2026-12-06T14:00:00Z');
    const [sms, hook] = ticketAlertJobs(ticket, facility({ sms: ['+639171110001'] }), sundayNight);
    expect(sms).toMatchObject({ id: `alert:${ticket.id}:sms:0`, payload: { to: '+639171110001' }, runAt: Date.parse('2026-12-07T00:00:00Z') });
    expect(hook).toMatchObject({ id: `alert:${ticket.id}:webhook`, runAt: Date.parse('2026-12-07T00:00:00Z') });
    expect(ticketAlertJobs(ticket, facility({ outsideHours: 'send' }), sundayNight)[0]).not.toHaveProperty('runAt');
    expect(ticketAlertJobs(ticket, facility({}), new Date('2026-12-07T02:00:00Z'))[0]).not.toHaveProperty('runAt');
  });
});
