import { afterEach, describe, expect, it } from 'vitest';
import { appointmentFixture, clientFor, fakeProvider, sendJson } from './fake-provider.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
/** A provider answering each path with a fixed status and body. */
async function provider(routes: Record<string, [number, unknown]>) {
  const fake = await fakeProvider((req, res) => {
    const route = routes[`${req.method} ${req.path.replace('/api/v1', '')}`];
    if (!route) return sendJson(res, 404, { error: 'not_found', message: 'no route' });
    if (route[1] === RAW_NULL) {
      res.writeHead(route[0], { 'content-type': 'application/json' });
      return void res.end('null');
    }
    if (typeof route[1] === 'string') {
      res.writeHead(route[0], { 'content-type': 'text/html' });
      return void res.end(route[1]);
    }
    sendJson(res, route[0], route[1]);
  });
  closers.push(fake.close);
  return fake;
}
const RAW_NULL = Symbol('null');

const patientQuery = { name: 'Juan Dela Cruz', dob: '1990-05-01', phone: '+639171234567' };

describe('provider client: tolerant reading', () => {
  it('reads calendars as an object or a bare array, numeric ids as strings, and fills in the default type', async () => {
    const calendars = [
      { id: 7, name: 'Dr. Santos', timezone: 'Asia/Manila', appointmentTypes: [{ id: 12, name: 'Consultation', durationMinutes: 30 }] },
      { id: 'lab', name: 'Laboratory', appointmentTypes: [] },
      { id: 'xray', name: 'X-ray' },
    ];
    const expected = [
      { id: '7', name: 'Dr. Santos', timezone: 'Asia/Manila', appointmentTypes: [{ id: '12', name: 'Consultation', durationMinutes: 30 }] },
      { id: 'lab', name: 'Laboratory', appointmentTypes: [{ id: 'default', name: 'Check-up' }] },
      { id: 'xray', name: 'X-ray', appointmentTypes: [{ id: 'default', name: 'Check-up' }] },
    ];
    const defaultAppointmentType = { id: 'default', name: 'Check-up' };
    for (const body of [{ calendars }, calendars]) {
      const fake = await provider({ 'GET /calendars': [200, body] });
      expect(await clientFor(fake.url, { defaultAppointmentType }).listCalendars()).toEqual({ ok: true, value: expected });
    }
  });

  it('a calendar without types stays without when no default is configured', async () => {
    const fake = await provider({ 'GET /calendars': [200, [{ id: 'lab', name: 'Laboratory' }]] });
    expect(await clientFor(fake.url).listCalendars()).toEqual({ ok: true, value: [{ id: 'lab', name: 'Laboratory', appointmentTypes: [] }] });
  });

  it('finds a patient, sending the required query with + encoded', async () => {
    const fake = await provider({ 'GET /patient': [200, { patientId: 4411, name: 'Juan Dela Cruz', phone: '+639171234567', dob: '1990-05-01', email: null, nationalId: null }] });
    const result = await clientFor(fake.url).findPatient({ ...patientQuery, email: 'juan@example.org' });
    expect(result).toEqual({ ok: true, value: { patientId: '4411', name: 'Juan Dela Cruz', phone: '+639171234567', dob: '1990-05-01' } });
    const q = fake.requests[0]!.query;
    expect(Object.fromEntries(q)).toEqual({ ...patientQuery, email: 'juan@example.org' });
  });

  it.each([
    ['404', 404, { error: 'not_found', message: 'no such patient' }],
    ['200 null', 200, RAW_NULL],
    ['200 {}', 200, {}],
    ['200 []', 200, []],
  ])('no patient: %s reads as null', async (_label, status, body) => {
    const fake = await provider({ 'GET /patient': [status, body] });
    expect(await clientFor(fake.url).findPatient(patientQuery)).toEqual({ ok: true, value: null });
  });

  it('reads availability in the {slots} form, times without offset in the facility zone', async () => {
    const fake = await provider({
      'GET /availability': [200, { slots: [{ start: '2026-12-01T10:00:00', end: '2026-12-01T10:30:00' }, { start: '2026-12-01T01:00:00Z' }] }],
    });
    const result = await clientFor(fake.url).availability({ month: '2026-12', calendarId: 'c1', appointmentTypeId: 't1' });
    expect(result).toEqual({
      ok: true,
      value: [{ start: '2026-12-01T09:00:00+08:00' }, { start: '2026-12-01T10:00:00+08:00', end: '2026-12-01T10:30:00+08:00' }],
    });
    expect(Object.fromEntries(fake.requests[0]!.query)).toEqual({ month: '2026-12', calendar_id: 'c1', appointment_type_id: 't1' });
  });

  it('reads the grouped {dates:[{date,times}]} form, HH:mm in the zone the body names', async () => {
    const fake = await provider({
      'GET /availability': [
        200,
        { timezone: 'Asia/Jakarta', dates: [{ date: '2026-12-02', times: ['08:30', '2026-12-02T13:00:00+07:00'] }, { date: '2026-12-01', times: ['15:00'] }] },
      ],
    });
    const result = await clientFor(fake.url).availability({ month: '2026-12', calendarId: 'c1', appointmentTypeId: 't1' });
    expect(result).toEqual({
      ok: true,
      value: [{ start: '2026-12-01T15:00:00+07:00' }, { start: '2026-12-02T08:30:00+07:00' }, { start: '2026-12-02T13:00:00+07:00' }],
    });
  });

  it('reads offset-less times in the calendar zone learnt from listCalendars, else the facility zone', async () => {
    const fake = await provider({
      'GET /calendars': [200, { calendars: [{ id: 'jkt', name: 'Jakarta desk', timezone: 'Asia/Jakarta', appointmentTypes: [{ id: 't', name: 'T' }] }] }],
      'GET /availability': [200, { dates: [{ date: '2026-12-01', times: ['09:00'] }] }],
    });
    const client = clientFor(fake.url);
    expect(await client.availability({ month: '2026-12', calendarId: 'jkt', appointmentTypeId: 't' })).toEqual({ ok: true, value: [{ start: '2026-12-01T09:00:00+08:00' }] });
    await client.listCalendars();
    expect(await client.availability({ month: '2026-12', calendarId: 'jkt', appointmentTypeId: 't' })).toEqual({ ok: true, value: [{ start: '2026-12-01T09:00:00+07:00' }] });
  });

  it('reads appointment lists as an object or a bare array, with NO_SHOW, CANCELLED, numeric ids and offset-less times', async () => {
    const items = [
      appointmentFixture({ appointmentId: 901, status: 'NO_SHOW', calendarId: 3, appointmentTypeId: 4, patientId: 55, start: '2026-12-01T09:30:00', end: undefined, queueNumber: 12 }),
      appointmentFixture({ appointmentId: 'A-2', status: 'CANCELLED', patientId: undefined, temporaryPatientId: 'T-9' }),
    ];
    for (const body of [{ appointments: items }, items]) {
      const fake = await provider({ 'GET /appointments': [200, body] });
      const result = await clientFor(fake.url).listAppointments({ patientId: '55', from: '2026-12-01' });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value[0]).toEqual({
        appointmentId: '901',
        status: 'NO SHOW',
        start: '2026-12-01T09:30:00+08:00',
        calendarId: '3',
        appointmentTypeId: '4',
        patientId: '55',
        patient: { name: 'Juan Dela Cruz', phone: '+639171234567', dob: '1990-05-01' },
        queueNumber: '12',
        updatedAt: '2026-11-20T08:00:00+08:00',
      });
      expect(result.value[1]).toMatchObject({ appointmentId: 'A-2', status: 'CANCELED', temporaryPatientId: 'T-9' });
      expect(result.value[1]).not.toHaveProperty('patientId');
      expect(Object.fromEntries(fake.requests[0]!.query)).toEqual({ patientId: '55', from: '2026-12-01' });
    }
  });

  it('a reschedule answered with a new appointmentId returns that id', async () => {
    const fake = await provider({ 'PUT /appointments/A-1/reschedule': [200, appointmentFixture({ appointmentId: 'A-77', status: 'RESCHEDULED', start: '2026-12-03T14:00:00+08:00' })] });
    const result = await clientFor(fake.url).reschedule('A-1', '2026-12-03T14:00:00+08:00', 'k');
    expect(result).toMatchObject({ ok: true, value: { appointmentId: 'A-77', status: 'RESCHEDULED', start: '2026-12-03T14:00:00+08:00' } });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({ start: '2026-12-03T14:00:00+08:00' });
  });

  it.each([
    ['HTML instead of JSON', 'GET /appointments', [200, '<html>oops</html>']],
    ['an unknown status', 'GET /appointments', [200, { appointments: [appointmentFixture({ status: 'MAYBE' })] }]],
    ['a start that is not a date', 'GET /appointments', [200, [appointmentFixture({ start: 'tomorrow' })]]],
    ['calendars as a string', 'GET /calendars', [200, { calendars: 'none' }]],
    ['availability without slots or dates', 'GET /availability', [200, { free: [] }]],
  ] as const)('an unreadable body (%s) is invalid', async (_label, route, answer) => {
    const fake = await provider({ [route]: answer as [number, unknown] });
    const client = clientFor(fake.url);
    const result =
      route === 'GET /calendars'
        ? await client.listCalendars()
        : route === 'GET /availability'
          ? await client.availability({ month: '2026-12', calendarId: 'c', appointmentTypeId: 't' })
          : await client.listAppointments({ patientId: 'P' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'unreadable_response' } });
  });
});

describe('provider client: refusals as typed errors', () => {
  const input = { calendarId: 'c', appointmentTypeId: 't', start: '2026-12-01T09:30:00+08:00', patient: { name: 'Juan', phone: '+639171234567' } };

  it.each([
    ['409 on create', 'POST /appointments', 409, { error: 'slot_unavailable', message: 'taken' }, 'create', 'slot_unavailable'],
    ['409 on reschedule', 'PUT /appointments/A-1/reschedule', 409, { error: 'slot_unavailable' }, 'reschedule', 'slot_unavailable'],
    ['422 reschedule_too_close', 'PUT /appointments/A-1/reschedule', 422, { error: 'reschedule_too_close', message: 'cutoff' }, 'reschedule', 'too_close'],
    ['422 cancel_too_close', 'PUT /appointments/A-1/cancel', 422, { error: 'cancel_too_close' }, 'cancel', 'too_close'],
    ['422 other', 'POST /appointments', 422, { error: 'invalid_phone' }, 'create', 'invalid'],
    ['400', 'POST /appointments', 400, { error: 'bad_request' }, 'create', 'invalid'],
    ['404 on cancel', 'PUT /appointments/A-1/cancel', 404, { error: 'not_found' }, 'cancel', 'not_found'],
    ['401', 'GET /calendars', 401, { error: 'unauthorized' }, 'calendars', 'unauthorized'],
    ['403', 'PUT /appointments/A-1/confirm', 403, { error: 'forbidden' }, 'confirm', 'unauthorized'],
    ['404 on confirm', 'PUT /appointments/A-1/confirm', 404, { error: 'not_found' }, 'confirm', 'unsupported'],
    ['405 on confirm', 'PUT /appointments/A-1/confirm', 405, { error: 'method_not_allowed' }, 'confirm', 'unsupported'],
  ] as const)('%s', async (_label, route, status, body, op, kind) => {
    const fake = await provider({ [route]: [status, body] });
    const client = clientFor(fake.url);
    const result =
      op === 'create'
        ? await client.createAppointment(input, 'k')
        : op === 'reschedule'
          ? await client.reschedule('A-1', '2026-12-01T10:00:00+08:00', 'k')
          : op === 'cancel'
            ? await client.cancel('A-1', 'sick', 'k')
            : op === 'confirm'
              ? await client.confirm('A-1', 'k')
              : await client.listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind, status } });
    expect(fake.requests).toHaveLength(1);
  });
});
