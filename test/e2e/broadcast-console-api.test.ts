/**
 * Issue 13, broadcasts for the staff console, on the whole service: a dry run has its own id, stores and sends
 * nothing and previews the message as each channel renders it; a repeated broadcast says when it was sent and
 * sends nothing twice; the history lists a facility's broadcasts newest first with their progress, for a token
 * that reaches the facility; the retention sweep takes a broadcast out of the history with its record.
 */
import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { eventually, FACILITY, SECRETS, staffCall, testConfig, useService } from '../support/frontdesk.js';

vi.setConfig({ testTimeout: 60_000 });

const OTHER = 'makati-med';
const TOKENS = { lukes: 'st-lukes-console-token-0123456789', makati: 'makati-console-token-0123456789' };
const svc = useService((url) => {
  const base = testConfig({ platformsUrl: url });
  return testConfig({
    platformsUrl: url,
    extra: {
      facilities: [
        base.facilities[0]!,
        { id: OTHER, name: 'Makati Medical', timezone: 'Asia/Manila', provider: { baseUrl: 'sandbox', userId: OTHER, apiKey: `${OTHER}-key`, webhookSecret: SECRETS.webhookSecret } },
      ],
      staff: [
        { name: "St Luke's desk", token: TOKENS.lukes, facilities: [FACILITY] },
        { name: 'Makati desk', token: TOKENS.makati, facilities: [OTHER] },
      ],
    },
  });
});

let day = DateTime.now().setZone('Asia/Manila').plus({ days: 17 });
if (day.weekday === 7) day = day.plus({ days: 1 });
const DATE = day.toISODate()!;
const COUNT = 4;

type Part = { text: string; buttons?: string[]; segments?: number; encoding?: string };
type Preview = { channel: string; parts: Part[]; segments?: number; fallback?: boolean };
type Progress = { id: string; status: string; total: number; sent: number; failed: number; skipped: number };
type Answer = { id: string; recipients: number; skipped: number; byChannel: Record<string, number>; viberBotInitiated: number; dryRun: boolean; repeated: boolean; sentAt?: string; sentBy?: string; sentId?: string; preview?: Preview[]; progress?: Progress };
type Summary = Progress & { request: { date: string; calendarId?: string; kind: string; text?: string }; createdAt: string; by?: string };

const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
async function post(body: Record<string, unknown>, token: string = SECRETS.staffToken) {
  const res = await fetch(`${svc.fd.base}/staff/v1/broadcasts`, { method: 'POST', headers: headers(token), body: JSON.stringify({ facilityId: FACILITY, date: DATE, ...body }) });
  return { status: res.status, body: (await res.json()) as Answer };
}
async function get(path: string, token: string = SECRETS.staffToken) {
  const res = await fetch(`${svc.fd.base}/staff/v1${path}`, { headers: headers(token) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const history = async (query = `facilityId=${FACILITY}`, token?: string) => (await get(`/broadcasts?${query}`, token)).body.broadcasts as Summary[];
const sends = () => svc.platforms.twilio().length + svc.platforms.viber().length + svc.platforms.graph().length;
const done = (id: string) =>
  eventually(async () => {
    const p = (await get(`/broadcasts/${id}`)).body as Progress;
    return p.status === 'done' ? p : undefined;
  }, `broadcast ${id} done`, 1200);

let contacts: string[] = [];

describe('broadcasts for the staff console', () => {
  it('the desk fills a day; one patient is on Viber, one on Messenger, the others by SMS', async () => {
    const r = await staffCall(svc.fd.base, 'POST', '/appointments/bulk', { date: DATE, count: COUNT });
    expect(r.status).toBe(201);
    const phones = (r.body.appointments as { patient: { phone: string } }[]).map((a) => a.patient.phone);
    const day = await eventually(async () => {
      const list = await svc.fd.store.appointments.byDay(FACILITY, DATE);
      return list.length === COUNT && list.every((a) => a.contactId) ? list : undefined;
    }, 'mirror holds the day');
    // every creation notice went out, so later counts are the broadcasts' alone
    await eventually(() => phones.every((p) => svc.platforms.twilio().some((t) => t.form.To === p)), 'creation notices sent');
    contacts = day.sort((a, b) => a.start.localeCompare(b.start)).map((a) => a.contactId!);
    const now = new Date().toISOString();
    await svc.fd.store.contacts.update(FACILITY, contacts[0]!, (c) => ({ ...c, lastChannel: 'viber', channels: { ...c.channels, viber: { userId: 'viber-console-1', subscribed: true } } }));
    await svc.fd.store.contacts.update(FACILITY, contacts[1]!, (c) => ({ ...c, lastChannel: 'messenger', channels: { ...c.channels, messenger: { userId: 'psid-console-1', lastInboundAt: now } } }));
  });

  let dryId = '';

  it('a dry run: its own id, counts per channel, billed Viber messages, nothing stored or sent', async () => {
    const before = sends();
    const a = await post({ kind: 'reminder', dryRun: true });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ recipients: COUNT, skipped: 0, byChannel: { viber: 1, messenger: 1, sms: COUNT - 2 }, viberBotInitiated: 1, dryRun: true, repeated: false });
    expect(a.body.id).toMatch(/^dry_[0-9a-f]{16}$/);
    expect(a.body.sentAt).toBeUndefined();
    dryId = a.body.id;
    const again = await post({ kind: 'reminder', dryRun: true });
    expect(again.body.id).not.toBe(dryId);
    expect(await svc.fd.store.broadcasts.find(dryId)).toBeUndefined();
    expect((await get(`/broadcasts/${dryId}`)).status).toBe(404);
    expect(await history()).toEqual([]);
    expect(sends()).toBe(before);
  });

  it('the preview: the first recipient’s reminder as each channel renders it, and the SMS fallback with its segments', async () => {
    const { body } = await post({ kind: 'reminder', dryRun: true });
    const ids = (await svc.fd.store.appointments.byDay(FACILITY, DATE)).map((a) => a.appointmentId);
    const by = Object.fromEntries(body.preview!.map((p) => [p.channel, p]));
    expect(body.preview!.map((p) => p.channel)).toEqual(['messenger', 'viber', 'sms']);
    const choices = ["Yes, I'll come", 'Reschedule', 'Cancel appointment'];
    // one sample appointment of the day, the same on every channel
    const reference = /Reference: (\S+?)\./.exec(by.messenger!.parts[0]!.text)?.[1];
    expect(ids).toContain(reference);
    // Messenger: quick replies under the text; Viber: a keyboard
    expect(by.messenger!.parts).toEqual([{ text: expect.stringContaining("Reminder: you have an appointment at St. Luke's Clinic"), buttons: choices }]);
    expect(by.viber!.parts).toEqual([{ text: expect.stringContaining(`Reference: ${reference}.`), buttons: choices }]);
    // SMS: the choices numbered in the text, GSM-friendly, and what it costs
    const sms = by.sms!;
    expect(sms.parts[0]!.text).toContain(`Reference: ${reference}.`);
    expect(sms.parts[0]!.text).toContain("1) Yes, I'll come\n2) Reschedule\n3) Cancel appointment");
    expect(sms.parts[0]!.buttons).toBeUndefined();
    expect(sms.parts[0]!.segments).toBeGreaterThanOrEqual(1);
    expect(sms.segments).toBe(sms.parts.reduce((n, p) => n + p.segments!, 0));
    expect(sms.fallback).toBeUndefined();
  });

  it('a staff message previews its text; a calendar with only Viber patients still shows the SMS fallback', async () => {
    const text = 'The clinic opens at 10 tomorrow.';
    const all = await post({ kind: 'message', text, dryRun: true });
    for (const p of all.body.preview!) {
      expect(p.parts.map((x) => x.text).join('\n'), p.channel).toContain(`St. Luke's Clinic: ${text}`);
      expect(p.parts.every((x) => !x.buttons), p.channel).toBe(true);
    }
    // the bulk booking put each of the four on its own calendar
    const viberCalendar = (await svc.fd.store.appointments.byDay(FACILITY, DATE)).find((a) => a.contactId === contacts[0])!.calendarId;
    const one = await post({ kind: 'message', text, calendarId: viberCalendar, dryRun: true });
    expect(one.body.byChannel).toEqual({ viber: 1 });
    expect(one.body.preview!.map((p) => [p.channel, p.fallback ?? false])).toEqual([
      ['viber', false],
      ['sms', true],
    ]);
  });

  let reminderId = '';

  it('the real run: the request hash as its id (not the dry run’s), 202, sends once per recipient', async () => {
    const before = sends();
    const a = await post({ kind: 'reminder' });
    expect(a.status).toBe(202);
    expect(a.body).toMatchObject({ recipients: COUNT, dryRun: false, repeated: false });
    expect(a.body.sentAt).toBeUndefined();
    expect(a.body.preview).toBeUndefined();
    expect(a.body.id).toMatch(/^[0-9a-f]{20}$/);
    expect(a.body.id).not.toBe(dryId);
    reminderId = a.body.id;
    const p = await done(reminderId);
    expect(p).toMatchObject({ total: COUNT, sent: COUNT, failed: 0, skipped: 0 });
    expect(sends() - before).toBe(COUNT);
    expect(svc.platforms.viber().at(-1)!.json.receiver).toBe('viber-console-1');
  });

  it('the same broadcast again: 200, repeated, when it was sent and by whom, its progress; nothing sent twice', async () => {
    const made = (await svc.fd.store.broadcasts.find<{ id: string; status: 'queued' | 'running' | 'done' | 'failed'; createdAt: string; request: { facilityId: string } }>(reminderId))!;
    const before = sends();
    const again = await post({ kind: 'reminder' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: reminderId, recipients: COUNT, dryRun: false, repeated: true, sentAt: made.createdAt, sentBy: 'staff-1' });
    expect(again.body.progress).toEqual({ id: reminderId, status: 'done', total: COUNT, sent: COUNT, failed: 0, skipped: 0 });
    // a dry run of it says so too, under its own id
    const dry = await post({ kind: 'reminder', dryRun: true });
    expect(dry.body).toMatchObject({ repeated: true, sentAt: made.createdAt, sentId: reminderId });
    expect(dry.body.id).not.toBe(reminderId);
    expect((await svc.fd.queue.get(`bc:${reminderId}`))?.state).toBe('done');
    // give a wrongly queued send the time to go out
    await new Promise((r) => setTimeout(r, 300));
    expect(sends()).toBe(before);
    const audit = (await get(`/audit?facilityId=${FACILITY}`)).body.entries as { action: string; outcome?: string; targets?: { broadcastId?: string } }[];
    expect(audit.find((e) => e.action === 'broadcast.create' && e.outcome === 'repeated')?.targets?.broadcastId).toBe(reminderId);
  });

  it('the history: newest first with progress and who made it, limited; dry runs are not in it', async () => {
    await new Promise((r) => setTimeout(r, 5));
    const text = 'Bring your ID card.';
    const m = await post({ kind: 'message', text }, TOKENS.lukes);
    expect(m.status).toBe(202);
    await done(m.body.id);
    const list = await history();
    expect(list.map((b) => b.id)).toEqual([m.body.id, reminderId]);
    expect(list[0]).toEqual({ id: m.body.id, status: 'done', request: { date: DATE, kind: 'message', text }, createdAt: expect.any(String), total: COUNT, sent: COUNT, failed: 0, skipped: 0, by: "St Luke's desk" });
    expect(list[1]).toMatchObject({ id: reminderId, status: 'done', request: { date: DATE, kind: 'reminder' }, total: COUNT, sent: COUNT, by: 'staff-1' });
    expect(list[1]!.request.text).toBeUndefined();
    expect(Date.parse(list[0]!.createdAt)).toBeGreaterThan(Date.parse(list[1]!.createdAt));
    expect((await history(`facilityId=${FACILITY}&limit=1`)).map((b) => b.id)).toEqual([m.body.id]);
    // the same answer from the counts kept once done
    expect(await history(undefined, TOKENS.lukes)).toEqual(list);
  });

  it('a token sees only its facilities: 403 for another’s, 404 for an unknown one, 400 without a facility, 401 without a token', async () => {
    expect((await get(`/broadcasts?facilityId=${FACILITY}`, TOKENS.makati)).status).toBe(403);
    expect((await get(`/broadcasts?facilityId=${OTHER}`, TOKENS.makati)).body).toEqual({ broadcasts: [] });
    expect((await get(`/broadcasts?facilityId=${OTHER}`, TOKENS.lukes)).status).toBe(403);
    expect((await get('/broadcasts?facilityId=nowhere')).status).toBe(404);
    expect((await get('/broadcasts')).status).toBe(400);
    expect((await get(`/broadcasts?facilityId=${FACILITY}&limit=0`)).status).toBe(400);
    expect((await fetch(`${svc.fd.base}/staff/v1/broadcasts?facilityId=${FACILITY}`)).status).toBe(401);
    expect((await get(`/broadcasts/${reminderId}`, TOKENS.makati)).status).toBe(403);
    expect((await post({ kind: 'reminder', dryRun: true }, TOKENS.makati)).status).toBe(403);
  });

  it('retention: a broadcast past sendRecordsDays leaves the history with its record', async () => {
    const r = await svc.fd.sweep(new Date(Date.now() + 91 * 24 * 3600_000));
    expect(r.broadcasts).toBe(2);
    expect(await history()).toEqual([]);
    expect(await svc.fd.store.broadcasts.find(reminderId)).toBeUndefined();
  });
});
