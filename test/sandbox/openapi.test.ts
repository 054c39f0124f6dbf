import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractDocument, matchPath, validateRequestBody, validateResponse, validateWebhook } from '../support/openapi.js';
import { FACILITY, JUAN, NOW, newPatient, startReceiver, startSandbox, type Reply, type Running } from './support.js';

const SECRET = `whsec_${Buffer.from('openapi test secret, 32 bytes!!').toString('base64')}`;

let run: Running;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let now = NOW;
beforeAll(async () => {
  receiver = await startReceiver();
  run = await startSandbox({ now: () => now, facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET } }] });
});
afterAll(async () => {
  await run.close();
  await receiver.close();
});

/** Calls the sandbox, checks the request body (if any) and the response against the contract, returns the reply. */
async function checked(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, auth?: null): Promise<Reply> {
  if (body !== undefined) expect(validateRequestBody(path, method, body), `request ${method} ${path}`).toEqual([]);
  const r = await run.api(path, { method, body, headers, ...(auth === null ? { auth: null } : {}) });
  expect(validateResponse(path, method, r.status, r.body), `${r.status} ${method} ${path}: ${JSON.stringify(r.body)}`).toEqual([]);
  return r;
}

describe('the sandbox speaks the OpenAPI contract', () => {
  it('is an OpenAPI 3.1 document with the eight operations, basic security and the webhooks', () => {
    expect(contractDocument.openapi).toBe('3.1.0');
    const paths = contractDocument.paths as Record<string, Record<string, unknown>>;
    const ops = Object.entries(paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'GET /calendars', 'GET /patient', 'GET /availability', 'POST /appointments', 'GET /appointments',
        'PUT /appointments/{id}/reschedule', 'PUT /appointments/{id}/cancel', 'PUT /appointments/{id}/confirm',
      ].sort(),
    );
    expect(contractDocument.security).toEqual([{ basicAuth: [] }]);
    expect(Object.keys(contractDocument.webhooks as object)).toHaveLength(7);
  });

  it('matches real paths to templates', () => {
    expect(matchPath('/sandbox/demo-clinic/api/v1/appointments/50001/cancel?x=1')).toBe('/appointments/{id}/cancel');
    expect(matchPath('/v1/appointments')).toBe('/appointments');
    expect(matchPath('/appointments/{id}/confirm')).toBe('/appointments/{id}/confirm');
    expect(matchPath('/somewhere/else')).toBeUndefined();
  });

  it('catches bodies that break the contract (so the checks below can fail)', () => {
    const good = { appointmentId: '1', status: 'SCHEDULED', start: '2026-03-03T08:00:00+08:00', calendarId: '101', appointmentTypeId: '1001', patient: { name: 'A', phone: '+639171234567' }, updatedAt: '2026-03-02T09:00:00+08:00', patientId: 'P-1' };
    expect(validateResponse('/appointments', 'POST', 201, good)).toEqual([]);
    expect(validateResponse('/appointments', 'POST', 201, { ...good, appointmentId: 1 })).not.toEqual([]);
    expect(validateResponse('/appointments', 'POST', 201, { ...good, start: '2026-03-03T08:00:00' })).not.toEqual([]);
    expect(validateResponse('/appointments', 'POST', 201, { ...good, status: 'CANCELLED' })).not.toEqual([]);
    expect(validateResponse('/appointments', 'POST', 201, { ...good, patientId: undefined })).not.toEqual([]);
    expect(validateResponse('/appointments/1/cancel', 'PUT', 200, good)).not.toEqual([]); // status must be CANCELED
    expect(validateResponse('/appointments', 'POST', 409, { error: 'boom', message: 'x' })).not.toEqual([]);
    expect(validateResponse('/calendars', 'GET', 418, {})).not.toEqual([]);
    expect(validateRequestBody('/appointments', 'POST', { calendarId: '101', start: 'tomorrow', patient: {} })).not.toEqual([]);
    expect(validateWebhook({ type: 'patientCreated', occurredAt: '2026-03-02T09:00:00+08:00', data: { patient: { patientId: 'P-1' } } })).not.toEqual([]);
  });

  it('answers every endpoint, success and error, with documented shapes', async () => {
    await checked('GET', '/calendars', undefined, {}, null); // 401
    await checked('GET', '/calendars');
    await checked('GET', `/patient?name=${encodeURIComponent(JUAN.name)}&dob=${JUAN.dob}&phone=${encodeURIComponent(JUAN.phone)}`);
    await checked('GET', `/patient?name=Nobody&dob=2000-01-01&phone=${encodeURIComponent('+639170000000')}`); // 404
    await checked('GET', '/patient?name=Nobody'); // 400
    const avail = await checked('GET', '/availability?month=2026-03&calendar_id=101&appointment_type_id=1001');
    await checked('GET', '/availability?month=2026-03&calendar_id=999&appointment_type_id=1001'); // 404
    await checked('GET', '/availability?month=2026-03'); // 400

    const slots = avail.body.slots as { start: string }[];
    const later = slots.filter((s) => s.start >= '2026-03-10');
    const key = randomUUID();
    const body = { calendarId: '101', appointmentTypeId: '1001', start: later[0]!.start, patient: newPatient() };
    const created = await checked('POST', '/appointments', body, { 'idempotency-key': key });
    expect(created.status).toBe(201);
    await checked('POST', '/appointments', body, { 'idempotency-key': key }); // replay
    await checked('POST', '/appointments', { ...body, start: later[1]!.start }, { 'idempotency-key': key }); // 422 reused key
    await checked('POST', '/appointments', { ...body, patient: newPatient(2) }, { 'idempotency-key': randomUUID() }); // 409
    const invalid = await run.api('/appointments', { method: 'POST', body: { calendarId: '101' } }); // a request the contract forbids
    expect(invalid.status).toBe(400);
    expect(validateResponse('/appointments', 'POST', invalid.status, invalid.body)).toEqual([]);
    const withKnown = await checked('POST', '/appointments', { ...body, start: later[2]!.start, patientId: JUAN.patientId, patient: { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone } });
    expect(withKnown.body.patientId).toBe(JUAN.patientId);

    await checked('GET', `/appointments?patientId=${JUAN.patientId}`);
    await checked('GET', `/appointments?temporaryPatientId=${created.body.temporaryPatientId}&from=2026-03-01&to=2026-03-31`);
    await checked('GET', '/appointments'); // 400

    const id = created.body.appointmentId as string;
    await checked('PUT', `/appointments/${id}/confirm`);
    await checked('PUT', `/appointments/${id}/reschedule`, { start: later[3]!.start });
    await checked('PUT', `/appointments/${id}/reschedule`, { start: later[2]!.start }); // 409 (Juan holds it)
    await checked('PUT', '/appointments/999999/reschedule', { start: later[4]!.start }); // 404
    now = new Date(Date.parse(later[3]!.start) - 3_600_000);
    await checked('PUT', `/appointments/${id}/reschedule`, { start: later[5]!.start }); // 422 too close
    await checked('PUT', `/appointments/${id}/cancel`, {}); // 422 too close
    now = NOW;
    await checked('PUT', `/appointments/${id}/cancel`, { reason: 'changed plans' });
    await checked('PUT', `/appointments/${id}/cancel`, {}); // again: 200
    await checked('PUT', `/appointments/${id}/confirm`); // 422 invalid_status
  });

  it('sends webhooks whose bodies match the envelope schema', async () => {
    const staffCreated = await run.staff('/appointments', {
      method: 'POST',
      body: { calendarId: '201', appointmentTypeId: '2001', start: '2026-03-02T10:07:00+08:00', patient: { name: 'Walk In', phone: '+639175559999' }, source: 'walk-in' },
    });
    await run.staff(`/appointments/${staffCreated.body.appointmentId}/check-in`, { method: 'PUT' });
    await run.staff('/patients/TMP-000001/assign', { method: 'POST' });
    await run.sandbox.flushWebhooks();
    const types = new Set<string>();
    for (const r of receiver.received) {
      expect(validateWebhook(r.body), r.raw).toEqual([]);
      types.add(r.body.type);
    }
    expect([...types].sort()).toEqual(['appointmentCanceled', 'appointmentConfirmed', 'appointmentCreated', 'appointmentRescheduled', 'patientCheckedIn', 'patientCreated']);
  });
});
