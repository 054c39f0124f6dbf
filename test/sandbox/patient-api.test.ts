import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FACILITY, JUAN, NOW, ROSA, basic, firstSlots, newPatient, startSandbox, type Running } from './support.js';

let run: Running | undefined;
afterEach(async () => {
  await run?.close();
  run = undefined;
});

const book = (r: Running, start: string, opts: { key?: string; patient?: object; patientId?: string; calendarId?: string; typeId?: string } = {}) =>
  r.api('/appointments', {
    method: 'POST',
    headers: { 'idempotency-key': opts.key ?? randomUUID() },
    body: {
      calendarId: opts.calendarId ?? '101',
      appointmentTypeId: opts.typeId ?? '1001',
      start,
      ...(opts.patientId ? { patientId: opts.patientId } : {}),
      patient: opts.patient ?? newPatient(),
    },
  });

describe('auth', () => {
  it('refuses a missing or wrong Basic credential with 401 {error:"unauthorized"}', async () => {
    run = await startSandbox();
    for (const auth of [null, 'Basic ' + Buffer.from('clinic-a-user:wrong').toString('base64'), 'Bearer clinic-a-key']) {
      const r = await run.api('/calendars', { auth });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'unauthorized' });
      expect(typeof r.body.message).toBe('string');
    }
    expect((await run.api('/calendars')).status).toBe(200);
  });

  it('keeps facilities apart: one facility credentials do not open another', async () => {
    const other = { ...FACILITY, id: 'clinic-b', userId: 'b-user', apiKey: 'b-key' };
    run = await startSandbox({ facilities: [FACILITY, other] });
    expect((await run.api('/calendars', { facility: other, auth: basic(FACILITY) })).status).toBe(401);
    expect((await run.api('/calendars', { facility: other })).status).toBe(200);
  });

  it('answers 404 for an unknown facility', async () => {
    run = await startSandbox();
    const r = await run.api('/calendars', { facility: { ...FACILITY, id: 'nowhere' } });
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('facility_not_found');
  });
});

describe('GET /calendars', () => {
  it('lists the seeded doctors and laboratory with string ids and typed durations', async () => {
    run = await startSandbox();
    const r = await run.api('/calendars');
    expect(r.status).toBe(200);
    const cals = r.body.calendars as { id: string; name: string; timezone: string; appointmentTypes: { id: string; durationMinutes: number }[] }[];
    expect(cals.map((c) => c.id)).toEqual(['101', '102', '103', '201']);
    expect(cals.every((c) => c.timezone === 'Asia/Manila')).toBe(true);
    expect(cals.find((c) => c.id === '201')!.appointmentTypes).toEqual([{ id: '2001', name: 'Laboratory test', durationMinutes: 10 }]);
    expect(cals.find((c) => c.id === '101')!.appointmentTypes.map((t) => t.durationMinutes)).toEqual([30, 15]);
  });
});

describe('GET /patient', () => {
  it('finds a registered patient by name in any case, dob and E.164 phone', async () => {
    run = await startSandbox();
    const r = await run.api(`/patient?name=${encodeURIComponent('JUAN dela cruz')}&dob=${JUAN.dob}&phone=${encodeURIComponent(JUAN.phone)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ patientId: 'P-100001', name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567' });
  });

  it('answers 404 when one of the three does not match, and for a patient with only a temporary id', async () => {
    run = await startSandbox();
    const wrongDob = await run.api(`/patient?name=${encodeURIComponent(JUAN.name)}&dob=1985-03-15&phone=${encodeURIComponent(JUAN.phone)}`);
    expect(wrongDob.status).toBe(404);
    expect(wrongDob.body.error).toBe('patient_not_found');
    const temp = await run.api(`/patient?name=${encodeURIComponent(ROSA.name)}&dob=${ROSA.dob}&phone=${encodeURIComponent(ROSA.phone)}`);
    expect(temp.status).toBe(404);
  });

  it('answers 400 when a required parameter is missing or the phone is not E.164', async () => {
    run = await startSandbox();
    expect((await run.api(`/patient?name=Juan&dob=${JUAN.dob}`)).status).toBe(400);
    expect((await run.api(`/patient?dob=${JUAN.dob}&phone=${encodeURIComponent(JUAN.phone)}`)).status).toBe(400);
    const bad = await run.api(`/patient?name=Juan&dob=${JUAN.dob}&phone=09171234567`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
  });
});

describe('GET /availability', () => {
  it('offers slots from tomorrow on, in working hours, never on Sundays or at lunch, with offsets', async () => {
    run = await startSandbox();
    const r = await run.api('/availability?month=2026-03&calendar_id=101&appointment_type_id=1001');
    expect(r.status).toBe(200);
    expect(r.body.timezone).toBe('Asia/Manila');
    const slots = r.body.slots as { start: string; end: string }[];
    expect(slots.length).toBeGreaterThan(100);
    for (const s of slots) {
      expect(s.start).toMatch(/^2026-03-\d\dT\d\d:\d\d:00\+08:00$/);
      const day = s.start.slice(0, 10);
      expect(day > '2026-03-02').toBe(true);
      expect(new Date(`${day}T00:00:00+08:00`).getUTCDay()).not.toBe(6); // Sunday in Manila is Saturday 16:00 UTC
      const hhmm = s.start.slice(11, 16);
      expect(hhmm >= '08:00' && hhmm < '17:00' && !(hhmm >= '12:00' && hhmm < '13:00')).toBe(true);
      expect(Date.parse(s.end) - Date.parse(s.start)).toBe(30 * 60_000);
    }
  });

  it('holds about a fifth of the cells for other patients, deterministically per seed', async () => {
    run = await startSandbox();
    const all = await firstSlots(run, '101', '1001', '2026-04');
    // April 2026 has 26 open days × 16 consultation cells
    const share = 1 - all.length / (26 * 16);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    const again = await startSandbox();
    const other = await startSandbox({ seed: 7 });
    try {
      expect(await firstSlots(again, '101', '1001', '2026-04')).toEqual(all);
      expect(await firstSlots(other, '101', '1001', '2026-04')).not.toEqual(all);
    } finally {
      await again.close();
      await other.close();
    }
  });

  it('reaches at least 60 days ahead', async () => {
    run = await startSandbox();
    expect((await firstSlots(run, '201', '2001', '2026-05')).some((s) => s.start.startsWith('2026-05-01'))).toBe(true);
  });

  it('answers 400 without required params and 404 for an unknown calendar or type', async () => {
    run = await startSandbox();
    expect((await run.api('/availability?month=2026-03&calendar_id=101')).status).toBe(400);
    expect((await run.api('/availability?month=2026-13&calendar_id=101&appointment_type_id=1001')).status).toBe(400);
    expect((await run.api('/availability?month=2026-03&calendar_id=999&appointment_type_id=1001')).body.error).toBe('calendar_not_found');
    const wrongType = await run.api('/availability?month=2026-03&calendar_id=201&appointment_type_id=1001');
    expect(wrongType.status).toBe(404);
  });
});

describe('POST /appointments', () => {
  it('books an unknown patient under a new temporary id, and the slot leaves availability', async () => {
    run = await startSandbox();
    const [slot] = await firstSlots(run, '101', '1001');
    const r = await book(run, slot!.start);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'SCHEDULED', start: slot!.start, end: slot!.end, calendarId: '101', appointmentTypeId: '1001' });
    expect(r.body.appointmentId).toMatch(/^\d+$/);
    expect(r.body.temporaryPatientId).toMatch(/^TMP-/);
    expect(r.body.patientId).toBeUndefined();
    expect(r.body.patient).toMatchObject(newPatient());
    const after = await firstSlots(run, '101', '1001');
    expect(after.map((s) => s.start)).not.toContain(slot!.start);
  });

  it('uses the permanent id of a known patient, given or matched', async () => {
    run = await startSandbox();
    const slots = await firstSlots(run, '101', '1002');
    const given = await book(run, slots[0]!.start, { typeId: '1002', patientId: JUAN.patientId, patient: { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone } });
    expect(given.status).toBe(201);
    expect(given.body.patientId).toBe('P-100001');
    expect(given.body.temporaryPatientId).toBeUndefined();
    const matched = await book(run, slots[1]!.start, { typeId: '1002', patient: { name: 'juan dela cruz', dob: JUAN.dob, phone: JUAN.phone } });
    expect(matched.body.patientId).toBe('P-100001');
  });

  it('accepts a start without offset, read in the facility zone', async () => {
    run = await startSandbox();
    const [slot] = await firstSlots(run, '201', '2001');
    const r = await book(run, slot!.start.slice(0, 19), { calendarId: '201', typeId: '2001' });
    expect(r.status).toBe(201);
    expect(r.body.start).toBe(slot!.start);
  });

  it('replays the first result for the same Idempotency-Key and books nothing new', async () => {
    run = await startSandbox();
    const [slot] = await firstSlots(run, '103', '1021');
    const key = randomUUID();
    const first = await book(run, slot!.start, { key, calendarId: '103', typeId: '1021' });
    const second = await book(run, slot!.start, { key, calendarId: '103', typeId: '1021' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const mine = await run.api(`/appointments?temporaryPatientId=${first.body.temporaryPatientId}`);
    expect(mine.body.appointments).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another body (422)', async () => {
    run = await startSandbox();
    const slots = await firstSlots(run, '103', '1021');
    const key = randomUUID();
    await book(run, slots[0]!.start, { key, calendarId: '103', typeId: '1021' });
    const r = await book(run, slots[1]!.start, { key, calendarId: '103', typeId: '1021' });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('idempotency_key_reused');
  });

  it('lets exactly one of two concurrent bookings of one slot win; the other gets 409 slot_unavailable', async () => {
    run = await startSandbox();
    const [slot] = await firstSlots(run, '102', '1011');
    const [a, b] = await Promise.all([
      book(run, slot!.start, { calendarId: '102', typeId: '1011', patient: newPatient(1) }),
      book(run, slot!.start, { calendarId: '102', typeId: '1011', patient: newPatient(2) }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).body.error).toBe('slot_unavailable');
  });

  it('answers 409 for a time that was never offered (off-grid, Sunday, lunch, held, today)', async () => {
    run = await startSandbox();
    const all = (await firstSlots(run, '101', '1001')).map((s) => s.start);
    const held = ['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30']
      .map((t) => `2026-03-03T${t}:00+08:00`)
      .find((s) => !all.includes(s));
    const never = ['2026-03-03T08:10:00+08:00', '2026-03-08T09:00:00+08:00', '2026-03-03T12:00:00+08:00', '2026-03-02T15:00:00+08:00', ...(held ? [held] : [])];
    for (const start of never) {
      const r = await book(run, start);
      expect(r.status, start).toBe(409);
      expect(r.body.error).toBe('slot_unavailable');
    }
  });

  it('validates the body: 400 for missing fields or a bad phone, 422 for an unknown calendar or patientId', async () => {
    run = await startSandbox();
    const [slot] = await firstSlots(run, '101', '1001');
    const missing = await run.api('/appointments', { method: 'POST', body: { calendarId: '101', start: slot!.start, patient: newPatient() } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    expect((await book(run, slot!.start, { patient: { ...newPatient(), phone: '0917' } })).status).toBe(400);
    expect((await run.api('/appointments', { method: 'POST', body: '{not json' })).body.error).toBe('invalid_json');
    expect((await book(run, slot!.start, { calendarId: '999' })).body.error).toBe('unknown_calendar');
    expect((await book(run, slot!.start, { patientId: 'P-999999' })).body.error).toBe('unknown_patient');
  });
});

describe('GET /appointments', () => {
  it("lists a patient's appointments by permanent or temporary id, filtered by from/to", async () => {
    run = await startSandbox();
    const juan = await run.api('/appointments?patientId=P-100001');
    expect(juan.status).toBe(200);
    expect(juan.body.appointments).toHaveLength(1);
    expect(juan.body.appointments[0]).toMatchObject({ patientId: 'P-100001', status: 'SCHEDULED', calendarId: '101', appointmentTypeId: '1001' });
    expect(juan.body.appointments[0].start.startsWith('2026-03-05T')).toBe(true);
    expect((await run.api('/appointments?patientId=P-100001&from=2026-03-06')).body.appointments).toHaveLength(0);
    expect((await run.api('/appointments?patientId=P-100001&from=2026-03-05&to=2026-03-05')).body.appointments).toHaveLength(1);
    const rosa = await run.api(`/appointments?temporaryPatientId=${ROSA.temporaryPatientId}`);
    expect(rosa.body.appointments).toHaveLength(1);
    expect(rosa.body.appointments[0].patientId).toBeUndefined();
  });

  it('answers 400 without a patient id', async () => {
    run = await startSandbox();
    expect((await run.api('/appointments')).status).toBe(400);
    expect((await run.api('/appointments?patientId=P-100001&from=soon')).status).toBe(400);
  });
});

describe('reschedule, cancel, confirm', () => {
  const juansAppointment = async (r: Running) => (await r.api('/appointments?patientId=P-100001')).body.appointments[0];

  it('reschedules to an offered slot: RESCHEDULED, and the old slot is offered again', async () => {
    run = await startSandbox();
    const a = await juansAppointment(run);
    const target = (await firstSlots(run, '101', '1001')).find((s) => s.start.startsWith('2026-03-10'))!;
    const r = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', body: { start: target.start } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ appointmentId: a.appointmentId, status: 'RESCHEDULED', start: target.start });
    const offered = (await firstSlots(run, '101', '1001')).map((s) => s.start);
    expect(offered).toContain(a.start);
    expect(offered).not.toContain(target.start);
  });

  it('refuses a reschedule onto a taken slot (409) and inside the cutoff (422 reschedule_too_close)', async () => {
    let now = NOW;
    run = await startSandbox({ now: () => now });
    const a = await juansAppointment(run);
    const [slot] = await firstSlots(run, '101', '1001');
    await book(run, slot!.start);
    const taken = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', body: { start: slot!.start } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('slot_unavailable');

    now = new Date(Date.parse(a.start) - 23 * 3_600_000);
    const late = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', body: { start: '2026-03-20T08:00:00+08:00' } });
    expect(late.status).toBe(422);
    expect(late.body.error).toBe('reschedule_too_close');
    const lateCancel = await run.api(`/appointments/${a.appointmentId}/cancel`, { method: 'PUT', body: {} });
    expect(lateCancel.status).toBe(422);
    expect(lateCancel.body.error).toBe('cancel_too_close');
  });

  it('honours a facility cutoff of a few hours', async () => {
    let now = NOW;
    run = await startSandbox({ now: () => now, facilities: [{ ...FACILITY, cutoffHours: 2 }] });
    const a = await juansAppointment(run);
    now = new Date(Date.parse(a.start) - 3 * 3_600_000);
    const r = await run.api(`/appointments/${a.appointmentId}/cancel`, { method: 'PUT', body: { reason: 'fever' } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('CANCELED');
  });

  it('cancels, and cancelling again is a success; a cancelled one cannot be rescheduled or confirmed', async () => {
    run = await startSandbox();
    const a = await juansAppointment(run);
    const first = await run.api(`/appointments/${a.appointmentId}/cancel`, { method: 'PUT', body: { reason: 'travel' } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('CANCELED');
    const again = await run.api(`/appointments/${a.appointmentId}/cancel`, { method: 'PUT' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('CANCELED');
    const resched = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', body: { start: '2026-03-20T08:00:00+08:00' } });
    expect(resched.status).toBe(422);
    expect(resched.body.error).toBe('invalid_status');
    expect((await run.api(`/appointments/${a.appointmentId}/confirm`, { method: 'PUT' })).body.error).toBe('invalid_status');
    // the freed slot is offered again
    expect((await firstSlots(run, '101', '1001')).map((s) => s.start)).toContain(a.start);
  });

  it('confirms (CONFIRMED) and a confirmed appointment can still be rescheduled', async () => {
    run = await startSandbox();
    const a = await juansAppointment(run);
    const c = await run.api(`/appointments/${a.appointmentId}/confirm`, { method: 'PUT' });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('CONFIRMED');
    const target = (await firstSlots(run, '101', '1001')).at(-1)!;
    const r = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', body: { start: target.start } });
    expect(r.body.status).toBe('RESCHEDULED');
  });

  it('refuses to touch SHOW and NO SHOW appointments (422 invalid_status)', async () => {
    let now = NOW;
    run = await startSandbox({ now: () => now });
    const jose = (await run.api('/appointments?patientId=P-100003')).body.appointments[0];
    expect(jose.status).toBe('SHOW');
    for (const action of ['reschedule', 'cancel', 'confirm']) {
      const r = await run.api(`/appointments/${jose.appointmentId}/${action}`, { method: 'PUT', body: action === 'reschedule' ? { start: '2026-03-20T08:00:00+08:00' } : {} });
      expect(r.status, action).toBe(422);
      expect(r.body.error).toBe('invalid_status');
    }
    const a = await juansAppointment(run);
    now = new Date(Date.parse(a.start) + 3_600_000); // a no-show only after the start
    expect((await run.staff(`/appointments/${a.appointmentId}/no-show`, { method: 'PUT' })).body.status).toBe('NO SHOW');
    expect((await run.api(`/appointments/${a.appointmentId}/cancel`, { method: 'PUT' })).body.error).toBe('invalid_status');
  });

  it('answers 404 for an unknown appointment and for confirm on a facility without it', async () => {
    run = await startSandbox({ facilities: [{ ...FACILITY, supportsConfirm: false }] });
    expect((await run.api('/appointments/424242/cancel', { method: 'PUT' })).status).toBe(404);
    const a = await juansAppointment(run);
    const r = await run.api(`/appointments/${a.appointmentId}/confirm`, { method: 'PUT' });
    expect(r.status).toBe(404);
    expect((await juansAppointment(run)).status).toBe('SCHEDULED');
  });

  it('replays a reschedule sent twice with one Idempotency-Key', async () => {
    run = await startSandbox();
    const a = await juansAppointment(run);
    const [t1] = await firstSlots(run, '101', '1001');
    const key = randomUUID();
    const r1 = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', headers: { 'idempotency-key': key }, body: { start: t1!.start } });
    const r2 = await run.api(`/appointments/${a.appointmentId}/reschedule`, { method: 'PUT', headers: { 'idempotency-key': key }, body: { start: t1!.start } });
    expect(r2.body).toEqual(r1.body);
    expect(r2.headers.get('idempotent-replayed')).toBe('true');
  });
});
