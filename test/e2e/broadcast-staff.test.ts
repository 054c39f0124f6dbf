/**
 * Issue 6, staff broadcasts on the whole service: a few hundred sandbox appointments on one day, the staff API
 * (`/staff/v1/broadcasts`), the outbox and the fake Twilio counting what each patient received.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// a few hundred desk bookings and two broadcasts: minutes, not seconds, when the whole suite shares two cores
vi.setConfig({ testTimeout: 180_000 });
import { json } from '../support/http-server.js';
import { eventually, FACILITY, postSms, SECRETS, smsParams, staffCall, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;

let day = DateTime.now().setZone('Asia/Manila').plus({ days: 12 });
if (day.weekday === 7) day = day.plus({ days: 1 });
const DATE = day.toISODate()!;
const COUNT = 300;
const OPTED_OUT_INDEX = 5;
const FAILING_INDEX = 9;
let phones: string[] = [];

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url }));
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const auth = { authorization: `Bearer ${SECRETS.staffToken}`, 'content-type': 'application/json' };
const broadcast = (body: unknown, headers: Record<string, string> = auth) => fetch(`${fd.base}/staff/v1/broadcasts`, { method: 'POST', headers, body: JSON.stringify(body) });
const progress = async (id: string) => (await (await fetch(`${fd.base}/staff/v1/broadcasts/${id}`, { headers: auth })).json()) as { status: string; total: number; sent: number; failed: number; skipped: number };
const twilioSince = (from: number) => platforms.twilio().slice(from);
const countBy = (list: { form: Record<string, string> }[]) => {
  const m = new Map<string, number>();
  for (const r of list) m.set(r.form.To!, (m.get(r.form.To!) ?? 0) + 1);
  return m;
};

describe('staff broadcasts to a few hundred appointments', () => {
  it('the sandbox desk fills a day; the mirror holds every appointment', async () => {
    const r = await staffCall(fd.base, 'POST', '/appointments/bulk', { date: DATE, count: COUNT });
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(COUNT);
    phones = (r.body.appointments as { patient: { phone: string } }[]).map((a) => a.patient.phone);
    expect(new Set(phones).size).toBe(COUNT);
    await eventually(async () => (await fd.store.appointments.byDay(FACILITY, DATE)).length === COUNT, 'mirror holds the day', 1200);
    // every creation notice went out, so later counts are the broadcast's alone
    await eventually(() => countBy(platforms.twilio()).size >= COUNT, 'creation notices sent', 1200);
    // one patient opts out by SMS; one number Twilio refuses
    expect((await postSms(fd.base, smsParams(phones[OPTED_OUT_INDEX]!, 'STOP'))).status).toBe(200);
    await eventually(async () => (await fd.store.contacts.byVerifiedPhone(FACILITY, phones[OPTED_OUT_INDEX]!))?.channels?.sms?.optedOut === true, 'opted out');
  });

  it('needs a staff token', async () => {
    const res = await broadcast({ facilityId: FACILITY, date: DATE, kind: 'reminder', dryRun: true }, { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    const wrong = await broadcast({ facilityId: FACILITY, date: DATE, kind: 'reminder', dryRun: true }, { ...auth, authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('refuses an invalid request with the reasons, and an unknown facility with 404', async () => {
    const bad = await broadcast({ facilityId: FACILITY, date: 'tomorrow', kind: 'message' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { details?: string[] };
    expect(body.details?.join('\n')).toMatch(/date/);
    expect(body.details?.join('\n')).toMatch(/text/);
    expect((await broadcast({ facilityId: 'nope', date: DATE, kind: 'reminder' })).status).toBe(404);
  });

  it('dry run: counts without sending', async () => {
    const before = platforms.twilio().length;
    const res = await broadcast({ facilityId: FACILITY, date: DATE, kind: 'reminder', dryRun: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { recipients: number; skipped: number; byChannel: Record<string, number> };
    expect(body).toMatchObject({ recipients: COUNT, skipped: 1, byChannel: { sms: COUNT - 1 } });
    expect(platforms.twilio().length).toBe(before);
  });

  let reminderId = '';
  let reminderFrom = 0;

  it('reminders: 202, progress until done, counts add up, one SMS per reachable recipient', async () => {
    const failing = phones[FAILING_INDEX]!;
    platforms.respond((req, _n, res) => {
      if (!req.url.startsWith('/twilio/') || new URLSearchParams(req.body).get('To') !== failing) return false;
      json(res, 400, { code: 21211, message: "The 'To' number is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
      return true;
    });
    reminderFrom = platforms.twilio().length;
    const res = await broadcast({ facilityId: FACILITY, date: DATE, kind: 'reminder' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; recipients: number };
    expect(body.recipients).toBe(COUNT);
    reminderId = body.id;
    const done = await eventually(async () => {
      const p = await progress(reminderId);
      return p.status === 'done' ? p : undefined;
    }, 'broadcast done', 2400);
    platforms.respond(undefined);
    expect(done.total).toBe(COUNT);
    expect(done.sent + done.failed + done.skipped).toBe(done.total);
    expect(done.skipped).toBe(1);
    expect(done.failed).toBe(1);
    expect(done.sent).toBe(COUNT - 2);
    const got = countBy(twilioSince(reminderFrom));
    expect(got.get(phones[OPTED_OUT_INDEX]!)).toBeUndefined();
    for (const [i, p] of phones.entries()) if (i !== OPTED_OUT_INDEX && i !== FAILING_INDEX) expect(got.get(p), `reminders to #${i}`).toBe(1);
  });

  it('the same request again: the same id, nothing sent twice', async () => {
    const res = await broadcast({ facilityId: FACILITY, date: DATE, kind: 'reminder' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: reminderId, recipients: COUNT, repeated: true });
    expect((await fd.queue.get(`bc:${reminderId}`))?.state).toBe('done');
    expect((await progress(reminderId)).status).toBe('done');
  });

  it('a staff message for one calendar reaches each of its patients once; the reminders were still sent once', async () => {
    const text = 'Dr. Reyes is out today; we will call you to move your appointment.';
    const dry = (await (await broadcast({ facilityId: FACILITY, date: DATE, calendarId: '102', kind: 'message', text, dryRun: true })).json()) as { recipients: number };
    const inCalendar = (await fd.store.appointments.byDay(FACILITY, DATE)).filter((a) => a.calendarId === '102');
    expect(dry.recipients).toBe(inCalendar.length);
    expect(inCalendar.length).toBeGreaterThan(0);
    expect(inCalendar.length).toBeLessThan(COUNT);
    const from = platforms.twilio().length;
    const res = await broadcast({ facilityId: FACILITY, date: DATE, calendarId: '102', kind: 'message', text });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).not.toBe(reminderId);
    const done = await eventually(async () => {
      const p = await progress(id);
      return p.status === 'done' ? p : undefined;
    }, 'message broadcast done', 2400);
    expect(done.sent + done.failed + done.skipped).toBe(done.total);
    const sent = twilioSince(from);
    const calendarPhones = new Set(await Promise.all(inCalendar.map(async (a) => (await fd.store.contacts.get(FACILITY, a.contactId!))!.phone!)));
    for (const r of sent) expect(calendarPhones.has(r.form.To!)).toBe(true);
    for (const n of countBy(sent).values()) expect(n).toBe(1);
    expect(sent.length).toBe(done.sent);
    expect.soft(sent[0]?.form.Body).toContain(text);
    // the reminder broadcast added nothing meanwhile
    const reminders = countBy(platforms.twilio().slice(reminderFrom, from));
    for (const [p, n] of reminders) expect(n, `reminder SMS to #${phones.indexOf(p)}`).toBe(1);
  });
});
