import { afterEach, describe, expect, it } from 'vitest';
import { JUAN, NOW, ROSA, startReceiver, startSandbox, type Reply, type Running } from './support.js';

/**
 * What a real front desk refuses: a check-in days early or twice, a no-show before the start or after a check-in,
 * anything on a cancelled appointment. Every refusal is the sandbox's documented error `{"error","message"}`, changes
 * nothing and sends no webhook. The clock is the sandbox's own (`now`), moved by the test.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let clock = NOW;
const at = (iso: string) => {
  clock = new Date(iso);
};

async function world() {
  clock = NOW;
  const receiver = await startReceiver();
  const run = await startSandbox({ now: () => clock });
  cleanups.push(receiver.close, run.close);
  const put = await run.staff('/webhook', { method: 'PUT', body: { url: receiver.url, secret: `whsec_${Buffer.from('staff rules secret, 32 bytes long!').toString('base64')}` } });
  expect(put.status).toBe(200);
  /** the types of the webhooks sent so far, sorted (deliveries run concurrently, so they may arrive in any order) */
  const sent = async () => {
    await run.sandbox.flushWebhooks();
    return receiver.received.map((r) => r.body.type as string).sort();
  };
  return { run, sent };
}

/** A desk booking at a known time (Wednesday 4 March 2026, 14:00 Manila: NOW is Monday 2 March, 09:00). */
async function deskBooking(run: Running, start = '2026-03-04T14:00:00+08:00') {
  const r = await run.staff('/appointments', {
    method: 'POST',
    body: { calendarId: '102', appointmentTypeId: '1011', start, patient: { name: 'Desk Patient', phone: '+639175550042' }, overbook: true },
  });
  expect(r.status).toBe(201);
  return r.body.appointmentId as string;
}

const action = (run: Running, id: string, name: string, body: unknown = {}) => run.staff(`/appointments/${id}/${name}`, { method: 'PUT', body });
const statusOf = async (run: Running, id: string) =>
  ((await run.staff('/appointments')).body.appointments as { appointmentId: string; status: string; queueNumber?: string }[]).find((a) => a.appointmentId === id)!;

/** the sandbox's error shape: exactly `error` (a code) and a readable `message` */
function expectRefusal(r: Reply, status: number, code: string, message?: RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body).sort()).toEqual(['error', 'message']);
  expect(r.body.error).toBe(code);
  expect(typeof r.body.message).toBe('string');
  if (message) expect(r.body.message).toMatch(message);
}

describe('staff check-in', () => {
  it('is refused days before the appointment (422 check_in_not_open), and on its day before the window opens', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    expectRefusal(await action(run, id, 'check-in'), 422, 'check_in_not_open', /opens at 2026-03-04 11:00 \(3 hours before its start at 2026-03-04 14:00/);
    at('2026-03-04T10:59:00+08:00');
    expectRefusal(await action(run, id, 'check-in'), 422, 'check_in_not_open');
    expect((await statusOf(run, id)).status).toBe('SCHEDULED');
    // the seeded appointments days ahead too
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    expectRefusal(await action(run, juan.appointmentId, 'check-in'), 422, 'check_in_not_open');
    expect(await sent()).toEqual(['appointmentCreated'].sort());
  });

  it('opens 3 hours before the start on the same day, and is refused after that day (422 check_in_closed)', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    at('2026-03-04T11:00:00+08:00');
    const r = await action(run, id, 'check-in');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ appointmentId: id, status: 'SHOW', queueNumber: '1' });

    const late = await deskBooking(run, '2026-03-04T16:00:00+08:00');
    at('2026-03-05T08:00:00+08:00');
    expectRefusal(await action(run, late, 'check-in'), 422, 'check_in_closed', /2026-03-04/);
    expect(await sent()).toEqual(['appointmentCreated', 'patientCheckedIn', 'appointmentCreated'].sort());
  });

  it('an early-morning appointment opens at midnight, never the evening before', async () => {
    const { run } = await world();
    const id = await deskBooking(run, '2026-03-04T01:00:00+08:00');
    at('2026-03-03T23:30:00+08:00');
    expectRefusal(await action(run, id, 'check-in'), 422, 'check_in_not_open', /opens at 2026-03-04 00:00/);
    at('2026-03-04T00:00:00+08:00');
    expect((await action(run, id, 'check-in')).status).toBe(200);
  });

  it('happens once: a second check-in is 409 already_checked_in and keeps the first queue number', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    at('2026-03-04T13:50:00+08:00');
    expect((await action(run, id, 'check-in', { queueNumber: '7' })).body.queueNumber).toBe('7');
    expectRefusal(await action(run, id, 'check-in', { queueNumber: '12' }), 409, 'already_checked_in', /queue number 7/);
    expectRefusal(await action(run, id, 'check-in'), 409, 'already_checked_in');
    expect(await statusOf(run, id)).toMatchObject({ status: 'SHOW', queueNumber: '7' });
    expect(await sent()).toEqual(['appointmentCreated', 'patientCheckedIn'].sort());
  });
});

describe('staff no-show', () => {
  it('is refused before the start (422 no_show_too_early), days ahead or minutes ahead', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    expectRefusal(await action(run, id, 'no-show'), 422, 'no_show_too_early', /starts at 2026-03-04 14:00/);
    at('2026-03-04T13:59:00+08:00');
    expectRefusal(await action(run, id, 'no-show'), 422, 'no_show_too_early');
    expect((await statusOf(run, id)).status).toBe('SCHEDULED');
    expect(await sent()).toEqual(['appointmentCreated'].sort());
  });

  it('is accepted once the start has passed, once (409 already_no_show); a no-show cannot then check in', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    at('2026-03-04T14:20:00+08:00');
    expect((await action(run, id, 'no-show')).body.status).toBe('NO SHOW');
    expectRefusal(await action(run, id, 'no-show'), 409, 'already_no_show');
    expectRefusal(await action(run, id, 'check-in'), 409, 'already_no_show');
    expect(await sent()).toEqual(['appointmentCreated', 'appointmentNoShow'].sort());
  });

  it('is refused after a check-in (409 already_checked_in)', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    at('2026-03-04T13:00:00+08:00');
    expect((await action(run, id, 'check-in')).status).toBe(200);
    at('2026-03-04T15:00:00+08:00');
    expectRefusal(await action(run, id, 'no-show'), 409, 'already_checked_in', /cannot be marked no-show/);
    expect(await statusOf(run, id)).toMatchObject({ status: 'SHOW', queueNumber: '1' });
    expect(await sent()).toEqual(['appointmentCreated', 'patientCheckedIn'].sort());
  });
});

describe('a cancelled appointment', () => {
  it('takes no staff action: 422 invalid_status, and a second cancel is 409 already_canceled', async () => {
    const { run, sent } = await world();
    const id = await deskBooking(run);
    expect((await action(run, id, 'cancel', { reason: 'doctor away' })).body.status).toBe('CANCELED');
    at('2026-03-04T14:30:00+08:00'); // on the day, after the start: only the status stands in the way
    for (const name of ['confirm', 'check-in', 'no-show']) expectRefusal(await action(run, id, name), 422, 'invalid_status', /was cancelled/);
    expectRefusal(await action(run, id, 'reschedule', { start: '2026-03-06T10:00:00+08:00', overbook: true }), 422, 'invalid_status', /was cancelled/);
    expectRefusal(await action(run, id, 'cancel'), 409, 'already_canceled');
    expect((await statusOf(run, id)).status).toBe('CANCELED');
    expect(await sent()).toEqual(['appointmentCreated', 'appointmentCanceled'].sort());
  });

  it('is still cancelled again successfully through the patient API (the contract)', async () => {
    const { run } = await world();
    const rosa = (await run.api(`/appointments?temporaryPatientId=${ROSA.temporaryPatientId}`)).body.appointments[0];
    expect((await action(run, rosa.appointmentId, 'cancel')).status).toBe(200);
    const again = await run.api(`/appointments/${rosa.appointmentId}/cancel`, { method: 'PUT', body: {} });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('CANCELED');
  });
});

describe('the sandbox clock', () => {
  it('can be moved after creation (setClock) and back to the configured one', async () => {
    const run = await startSandbox(); // now: NOW
    cleanups.push(run.close);
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    expectRefusal(await action(run, juan.appointmentId, 'check-in'), 422, 'check_in_not_open');
    run.sandbox.setClock(() => new Date(Date.parse(juan.start) - 3_600_000));
    expect((await action(run, juan.appointmentId, 'check-in')).body.status).toBe('SHOW');
    run.sandbox.setClock(undefined);
    const rosa = (await run.api(`/appointments?temporaryPatientId=${ROSA.temporaryPatientId}`)).body.appointments[0];
    expectRefusal(await action(run, rosa.appointmentId, 'no-show'), 422, 'no_show_too_early');
  });
});

describe('staff calendars', () => {
  it('lists the doctors and their appointment types for the desk', async () => {
    const { run } = await world();
    const r = await run.staff('/calendars');
    expect(r.status).toBe(200);
    expect(r.body.calendars.map((c: { id: string }) => c.id)).toEqual(['101', '102', '103', '201']);
    expect(r.body.calendars[1]).toMatchObject({ name: 'Dr. Jose Reyes — Pediatrics', appointmentTypes: [{ id: '1011', name: 'Consultation' }, {}, {}] });
  });
});
