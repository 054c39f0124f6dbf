import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { DEMO_WEBHOOK_SECRET, runSandbox } from '../../src/sandbox/standalone.js';
import { FACILITY, JUAN, NOW, ROSA, close, firstSlots, listen, newPatient, silent, startReceiver, startSandbox, type Running } from './support.js';

const SECRET = `whsec_${Buffer.from('clinic-a webhook secret, 32 bytes').toString('base64')}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function withReceiver(opts: Parameters<typeof startSandbox>[0] = {}) {
  const receiver = await startReceiver();
  const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET } }], ...opts });
  cleanups.push(receiver.close, run.close);
  return { receiver, run };
}

/** Verifies a received webhook the way the bot must, returning the parsed envelope. */
const verify = (r: { raw: string; headers: Record<string, string> }, secret = SECRET) =>
  new Webhook(secret).verify(r.raw, {
    'webhook-id': r.headers['webhook-id']!,
    'webhook-timestamp': r.headers['webhook-timestamp']!,
    'webhook-signature': r.headers['webhook-signature']!,
  }) as { type: string; occurredAt: string; data: { appointment?: Record<string, any>; patient?: Record<string, any>; source?: string } };  

const bookFromChat = async (run: Running, patient = newPatient()) => {
  const [slot] = await firstSlots(run, '101', '1001');
  return run.api('/appointments', {
    method: 'POST',
    headers: { 'idempotency-key': randomUUID() },
    body: { calendarId: '101', appointmentTypeId: '1001', start: slot!.start, patient },
  });
};

describe('signed webhooks', () => {
  it('sends appointmentCreated with source "bot" for a chat booking, signed per Standard Webhooks', async () => {
    const { receiver, run } = await withReceiver();
    const booked = await bookFromChat(run);
    expect(booked.status).toBe(201);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.headers['webhook-id']).toMatch(/^msg_/);
    expect(got.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(got.headers['webhook-signature']).toMatch(/^v1,/);
    const envelope = verify(got);
    expect(envelope.type).toBe('appointmentCreated');
    expect(envelope.data.source).toBe('bot');
    expect(envelope.data.appointment).toEqual(booked.body);
    expect(envelope.occurredAt).toMatch(/\+08:00$/);
    expect(() => verify(got, `whsec_${Buffer.from('another secret entirely').toString('base64')}`)).toThrow();
    expect(run.sandbox.deliveries(FACILITY.id)).toEqual([{ id: got.headers['webhook-id'], type: 'appointmentCreated', status: 'delivered', attempts: 1 }]);
  });

  it('sends one event per staff action, with the matching type, status and source', async () => {
    let now = NOW;
    const { receiver, run } = await withReceiver({ now: () => now });
    const [slot] = await firstSlots(run, '102', '1011');
    const created = await run.staff('/appointments', {
      method: 'POST',
      body: { calendarId: '102', appointmentTypeId: '1011', start: slot!.start, patient: { name: 'Lito Lapid', phone: '+639175551234' }, source: 'staff' },
    });
    expect(created.status).toBe(201);
    expect(created.body.patientId).toMatch(/^P-/);
    const id = created.body.appointmentId;
    const later = (await firstSlots(run, '102', '1011')).at(-1)!;
    expect((await run.staff(`/appointments/${id}/reschedule`, { method: 'PUT', body: { start: later.start } })).body.status).toBe('RESCHEDULED');
    expect((await run.staff(`/appointments/${id}/confirm`, { method: 'PUT' })).body.status).toBe('CONFIRMED');
    now = new Date(Date.parse(later.start) - 3_600_000); // check-in opens on the day, before the start
    const checkedIn = await run.staff(`/appointments/${id}/check-in`, { method: 'PUT', body: {} });
    expect(checkedIn.body).toMatchObject({ status: 'SHOW', queueNumber: '1' });

    const walkIn = await run.staff('/appointments', {
      method: 'POST',
      body: { calendarId: '201', appointmentTypeId: '2001', start: '2026-03-02T10:07:00+08:00', patient: { name: 'Walk In', phone: '+639175559999', dob: '1970-05-05' }, source: 'walk-in' },
    });
    expect(walkIn.status).toBe(201);
    // a no-show once its start has passed (the clock is already weeks later)
    expect((await run.staff(`/appointments/${walkIn.body.appointmentId}/no-show`, { method: 'PUT' })).body.status).toBe('NO SHOW');
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    expect((await run.staff(`/appointments/${juan.appointmentId}/cancel`, { method: 'PUT', body: { reason: 'doctor away' } })).body.status).toBe('CANCELED');

    await run.sandbox.flushWebhooks();
    // deliveries run concurrently: the contract lets events arrive out of order, so compare as a set
    const events = receiver.received.map((r) => verify(r));
    const key = (e: (typeof events)[number]) => `${e.type}|${e.data.source}|${e.data.appointment?.status}`;
    expect(events.map(key).sort()).toEqual([
      ['appointmentCreated', 'staff', 'SCHEDULED'],
      ['appointmentRescheduled', 'staff', 'RESCHEDULED'],
      ['appointmentConfirmed', 'staff', 'CONFIRMED'],
      ['patientCheckedIn', 'staff', 'SHOW'],
      ['appointmentCreated', 'walk-in', 'SCHEDULED'],
      ['appointmentNoShow', 'staff', 'NO SHOW'],
      ['appointmentCanceled', 'staff', 'CANCELED'],
    ].map((parts) => parts.join('|')).sort());
    expect(events.find((e) => e.type === 'patientCheckedIn')!.data.appointment!.queueNumber).toBe('1');
    expect(events.find((e) => e.data.appointment?.appointmentId === id && e.type === 'appointmentCreated')!.data.appointment!.patient)
      .toMatchObject({ name: 'Lito Lapid', phone: '+639175551234' });
  });

  it('sends nothing for a repeat that changes nothing (idempotent replay, second cancel)', async () => {
    const { receiver, run } = await withReceiver();
    const key = randomUUID();
    const slot = (await firstSlots(run, '101', '1001')).at(-1); // outside the 24-hour cutoff
    const body = { calendarId: '101', appointmentTypeId: '1001', start: slot!.start, patient: newPatient() };
    const a = await run.api('/appointments', { method: 'POST', headers: { 'idempotency-key': key }, body });
    await run.api('/appointments', { method: 'POST', headers: { 'idempotency-key': key }, body });
    await run.api(`/appointments/${a.body.appointmentId}/cancel`, { method: 'PUT' });
    await run.api(`/appointments/${a.body.appointmentId}/cancel`, { method: 'PUT' });
    await run.sandbox.flushWebhooks();
    expect(receiver.received.map((r) => verify(r).type)).toEqual(['appointmentCreated', 'appointmentCanceled']);
  });

  it('retries with the same webhook-id after the receiver answers 500, until it is delivered', async () => {
    const { receiver, run } = await withReceiver();
    receiver.failNext(1);
    await bookFromChat(run);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(verify(second!).type).toBe('appointmentCreated');
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('gives up after maxAttempts and records the failure; a dead receiver never slows the API', async () => {
    const { receiver, run } = await withReceiver({ webhookRetry: { maxAttempts: 3, initialDelayMs: 10 } });
    receiver.failNext(100);
    const booked = await bookFromChat(run);
    expect(booked.status).toBe(201);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(3);
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ type: 'appointmentCreated', status: 'failed', attempts: 3 }]);
  });

  it('retries after a network error (nothing listening yet)', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const run = await startSandbox({ facilities: [{ ...FACILITY, webhook: { url, secret: SECRET } }], webhookRetry: { maxAttempts: 2, initialDelayMs: 10 } });
    cleanups.push(run.close);
    await bookFromChat(run);
    await run.sandbox.flushWebhooks();
    expect(run.sandbox.deliveries(FACILITY.id)).toMatchObject([{ status: 'failed', attempts: 2 }]);
  });

  it('can be pointed at a receiver later (setWebhookTarget, or PUT staff/webhook)', async () => {
    const receiver = await startReceiver();
    const run = await startSandbox();
    cleanups.push(receiver.close, run.close);
    await bookFromChat(run, newPatient(1));
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
    const put = await run.staff('/webhook', { method: 'PUT', body: { url: receiver.url, secret: SECRET } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ url: receiver.url, secretChanged: true }); // the secret is never echoed
    expect(run.sandbox.webhookSecret(FACILITY.id)).toBe(SECRET);
    await bookFromChat(run, newPatient(2));
    await run.sandbox.flushWebhooks();
    expect(verify(receiver.received[0]!, SECRET).type).toBe('appointmentCreated');
    expect((await run.staff('/webhook/deliveries')).body.deliveries).toHaveLength(1);
  });
});

describe('patientCreated: a temporary patient gets a permanent id', () => {
  it('moves every appointment of the temporary id and sends both ids', async () => {
    const { receiver, run } = await withReceiver();
    const second = await bookFromChat(run, { name: ROSA.name, dob: ROSA.dob, phone: ROSA.phone });
    expect(second.body.temporaryPatientId).toBe(ROSA.temporaryPatientId); // the same person keeps one temporary id
    const r = await run.staff(`/patients/${ROSA.temporaryPatientId}/assign`, { method: 'POST', body: { patientId: 'P-777001' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ patient: { patientId: 'P-777001', temporaryPatientId: ROSA.temporaryPatientId }, movedAppointments: 2 });

    const byPermanent = await run.api('/appointments?patientId=P-777001');
    expect(byPermanent.body.appointments).toHaveLength(2);
    expect(byPermanent.body.appointments.every((a: { temporaryPatientId: string }) => a.temporaryPatientId === ROSA.temporaryPatientId)).toBe(true);
    const found = await run.api(`/patient?name=${encodeURIComponent(ROSA.name)}&dob=${ROSA.dob}&phone=${encodeURIComponent(ROSA.phone)}`);
    expect(found.body.patientId).toBe('P-777001');

    await run.sandbox.flushWebhooks();
    const created = receiver.received.map((x) => verify(x)).find((e) => e.type === 'patientCreated');
    expect(created?.data.patient).toMatchObject({ patientId: 'P-777001', temporaryPatientId: ROSA.temporaryPatientId, name: ROSA.name, phone: ROSA.phone });

    // a later chat booking of the same person now carries the permanent id
    const third = await bookFromChat(run, { name: ROSA.name, dob: ROSA.dob, phone: ROSA.phone });
    expect(third.body.patientId).toBe('P-777001');
  });

  it('generates a permanent id when none is given; 404 for an unknown temporary id; 409 for a second, different id', async () => {
    const { run } = await withReceiver();
    const r = await run.staff(`/patients/${ROSA.temporaryPatientId}/assign`, { method: 'POST' });
    expect(r.body.patient.patientId).toMatch(/^P-\d+$/);
    expect((await run.staff('/patients/TMP-424242/assign', { method: 'POST' })).status).toBe(404);
    const again = await run.staff(`/patients/${ROSA.temporaryPatientId}/assign`, { method: 'POST', body: { patientId: 'P-1' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('already_assigned');
  });
});

describe('staff API', () => {
  it('requires the facility Basic credentials', async () => {
    const { run } = await withReceiver();
    const r = await fetch(`${run.origin}/sandbox/${FACILITY.id}/staff/appointments`);
    expect(r.status).toBe(401);
  });

  it('refuses a desk booking onto a taken time unless overbooked; walk-ins always fit', async () => {
    const { run } = await withReceiver();
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    const body = { calendarId: '101', appointmentTypeId: '1002', start: juan.start, patient: newPatient(3) };
    const clash = await run.staff('/appointments', { method: 'POST', body });
    expect(clash.status).toBe(409);
    expect((await run.staff('/appointments', { method: 'POST', body: { ...body, overbook: true } })).status).toBe(201);
    expect((await run.staff('/appointments', { method: 'POST', body: { ...body, source: 'walk-in' } })).status).toBe(201);
  });

  it('staff may cancel inside the patient cutoff', async () => {
    let now = NOW;
    const { run } = await withReceiver({ now: () => now });
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    now = new Date(Date.parse(juan.start) - 2 * 3_600_000);
    expect((await run.api(`/appointments/${juan.appointmentId}/cancel`, { method: 'PUT' })).status).toBe(422);
    expect((await run.staff(`/appointments/${juan.appointmentId}/cancel`, { method: 'PUT' })).status).toBe(200);
  });

  it('bulk-creates hundreds of appointments on one date, each announced by appointmentCreated', async () => {
    const { receiver, run } = await withReceiver();
    const r = await run.staff('/appointments/bulk', { method: 'POST', body: { date: '2026-03-04', count: 300 } });
    expect(r.status).toBe(201);
    expect(r.body.created).toBe(300);
    const phones = new Set(r.body.appointments.map((a: { patient: { phone: string } }) => a.patient.phone));
    expect(phones.size).toBe(300);
    expect(r.body.appointments.every((a: { start: string }) => a.start.startsWith('2026-03-04T'))).toBe(true);
    const listed = await run.staff('/appointments?date=2026-03-04');
    expect(listed.body.appointments.length).toBeGreaterThanOrEqual(300);
    await run.sandbox.flushWebhooks();
    expect(receiver.received.filter((x) => verify(x).type === 'appointmentCreated')).toHaveLength(300);

    const quiet = await run.staff('/appointments/bulk', { method: 'POST', body: { date: '2026-03-05', count: 5, calendarId: '201', notify: false } });
    expect(quiet.body.appointments.every((a: { calendarId: string }) => a.calendarId === '201')).toBe(true);
    await run.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(300);
  });

  it('lists every appointment with its source, filterable by status', async () => {
    const { run } = await withReceiver();
    const all = await run.staff('/appointments');
    expect(all.body.appointments).toHaveLength(5);
    const show = await run.staff('/appointments?status=SHOW');
    expect(show.body.appointments).toMatchObject([{ patientId: 'P-100003', status: 'SHOW', queueNumber: '4', source: 'staff' }]);
    expect((await run.staff('/patients')).body.patients.length).toBe(5);
  });
});

describe('mounting', () => {
  it('middleware() serves /sandbox/* inside another Koa app and passes everything else on', async () => {
    const sandbox = createSandbox({ facilities: [FACILITY], now: () => NOW, logger: silent });
    const app = new Koa();
    app.use(sandbox.middleware());
    app.use((ctx) => {
      ctx.body = { host: 'frontdesk' };
    });
    const { server, origin } = await listen(app);
    cleanups.push(async () => {
      await sandbox.stop();
      await close(server);
    });
    expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ host: 'frontdesk' });
    const cal = await fetch(`${origin}/sandbox/${FACILITY.id}/api/v1/calendars`, {
      headers: { authorization: `Basic ${Buffer.from(`${FACILITY.userId}:${FACILITY.apiKey}`).toString('base64')}` },
    });
    expect(cal.status).toBe(200);
    const missing = await fetch(`${origin}/sandbox/${FACILITY.id}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
  });

  it('runSandbox serves demo-clinic with the documented credentials and webhook secret', async () => {
    const receiver = await startReceiver();
    const s = await runSandbox({ port: 0, webhookUrl: receiver.url, logger: silent });
    cleanups.push(receiver.close, s.close);
    const auth = `Basic ${Buffer.from('demo-clinic:demo-api-key').toString('base64')}`;
    const cal = await fetch(`${s.url}/sandbox/demo-clinic/api/v1/calendars`, { headers: { authorization: auth } });
    expect(cal.status).toBe(200);
    const staff = await fetch(`${s.url}/sandbox/demo-clinic/staff/patients/${ROSA.temporaryPatientId}/assign`, { method: 'POST', headers: { authorization: auth } });
    expect(staff.status).toBe(200);
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(verify(receiver.received[0]!, DEMO_WEBHOOK_SECRET).type).toBe('patientCreated');
  });
});
