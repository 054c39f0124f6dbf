import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractDocument, matchPath, validateRequestBody, validateResponse } from '../support/openapi.js';
import { appointmentFixture, clientFor, fakeProvider, sendJson, type SeenRequest } from './fake-provider.js';

/**
 * The client's real requests (path, query, headers, JSON body), captured on a local server that answers
 * with contract-shaped bodies, checked against openapi/provider-contract.yaml.
 */

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
ajv.addSchema(contractDocument, 'contract');

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const at = (pointer: string): Json =>
  pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<Json>((o, k) => o[k] as Json, contractDocument);

/** The operation's documented parameters, each with the JSON pointer of where it is defined. */
function paramsOf(template: string, method: string): (Param & { pointer: string })[] {
  const base = `/paths/${esc(template)}/${method.toLowerCase()}/parameters`;
  const list = (at(base) as unknown as unknown[] | undefined) ?? [];
  return list.map((_, i) => {
    let pointer = `${base}/${i}`;
    while (typeof at(pointer).$ref === 'string') pointer = (at(pointer).$ref as string).slice(1);
    return { ...(at(pointer) as unknown as Param), pointer };
  });
}

/** Problems with a request's query string and headers, by the parameters the contract documents. */
function validateParameters(req: SeenRequest): string[] {
  const template = matchPath(req.path);
  if (!template) return [`no path in the contract matches ${req.path}`];
  const params = paramsOf(template, req.method);
  const problems: string[] = [];
  for (const name of new Set(req.query.keys())) {
    if (!params.some((p) => p.in === 'query' && p.name === name)) problems.push(`query ${name} is not documented`);
  }
  for (const p of params.filter((q) => q.in === 'query' || q.in === 'header')) {
    const value = p.in === 'query' ? (req.query.get(p.name) ?? undefined) : (req.headers[p.name.toLowerCase()] as string | undefined);
    if (value === undefined) {
      if (p.required) problems.push(`${p.in} ${p.name} is required`);
      continue;
    }
    const validate = ajv.compile({ $ref: `contract#${p.pointer}/schema` });
    if (!validate(value)) problems.push(`${p.in} ${p.name}: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}

const appointment = appointmentFixture({ appointmentId: '50001', patientId: 'P-100001', temporaryPatientId: undefined });
const answers: Record<string, [number, unknown]> = {
  'GET /calendars': [200, { calendars: [{ id: '101', name: 'Dr. Maria Santos', timezone: 'Asia/Manila', appointmentTypes: [{ id: '1001', name: 'Consultation', durationMinutes: 30 }] }] }],
  'GET /patient': [200, { patientId: 'P-100001', name: 'Juan Dela Cruz', email: 'juan@example.com', phone: '+639171234567', dob: '1985-03-14', nationalId: '1234-5678-9012' }],
  'GET /availability': [200, { timezone: 'Asia/Manila', slots: [{ start: '2026-12-01T09:00:00+08:00', end: '2026-12-01T09:30:00+08:00' }] }],
  'POST /appointments': [201, { ...appointment, temporaryPatientId: 'TMP-1' }],
  'GET /appointments': [200, { appointments: [appointment] }],
  'PUT /appointments/50001/reschedule': [200, { ...appointment, status: 'RESCHEDULED' }],
  'PUT /appointments/50001/cancel': [200, { ...appointment, status: 'CANCELED' }],
  'PUT /appointments/50001/confirm': [200, { ...appointment, status: 'CONFIRMED' }],
};

let fake: Awaited<ReturnType<typeof fakeProvider>>;
beforeAll(async () => {
  fake = await fakeProvider((req, res) => {
    const answer = answers[`${req.method} ${req.path.replace(/^\/api\/v1/, '')}`];
    if (!answer) return sendJson(res, 404, { error: 'not_found', message: 'no such route' });
    sendJson(res, answer[0], answer[1]);
  });
  const client = clientFor(fake.url);
  const patient = { name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567', email: 'juan@example.com', gender: 'male', nationalId: '1234-5678-9012' };
  const results = await Promise.all([
    client.listCalendars(),
    client.findPatient({ name: patient.name, dob: patient.dob, phone: patient.phone, email: patient.email, nationalId: patient.nationalId }),
    client.findPatient({ name: patient.name, dob: patient.dob, phone: patient.phone }),
    client.availability({ month: '2026-12', calendarId: '101', appointmentTypeId: '1001' }),
    client.createAppointment({ calendarId: '101', appointmentTypeId: '1001', start: '2026-12-01T09:00:00+08:00', patientId: 'P-100001', patient, notes: 'first visit' }, crypto.randomUUID()),
    client.createAppointment({ calendarId: '101', appointmentTypeId: '1001', start: '2026-12-01T09:00:00+08:00', patient: { name: 'Rosa Villanueva', phone: '+639285550123', dob: '1978-01-30' } }, crypto.randomUUID()),
    client.listAppointments({ patientId: 'P-100001', from: '2026-12-01', to: '2026-12-31' }),
    client.listAppointments({ temporaryPatientId: 'TMP-1' }),
    client.reschedule('50001', '2026-12-02T10:00:00+08:00', crypto.randomUUID()),
    client.cancel('50001', 'feeling better', crypto.randomUUID()),
    client.cancel('50001', undefined, crypto.randomUUID()),
    client.confirm('50001', crypto.randomUUID()),
  ]);
  for (const r of results) if (!r.ok) throw new Error(`setup call failed: ${r.error.kind} ${r.error.message}`);
});
afterAll(() => fake.close());

describe("the client's requests match the OpenAPI contract", () => {
  it('every endpoint was called', () => {
    const called = new Set(fake.requests.map((r) => `${r.method} ${matchPath(r.path)}`));
    expect([...called].sort()).toEqual(
      [
        'GET /calendars', 'GET /patient', 'GET /availability', 'POST /appointments', 'GET /appointments',
        'PUT /appointments/{id}/reschedule', 'PUT /appointments/{id}/cancel', 'PUT /appointments/{id}/confirm',
      ].sort(),
    );
    expect(fake.requests).toHaveLength(12);
  });

  it('query strings and headers are the documented parameters, required ones present', () => {
    const problems = fake.requests.map((r) => ({ call: `${r.method} ${r.path}?${r.query}`, problems: validateParameters(r) }));
    expect(problems.filter((p) => p.problems.length > 0)).toEqual([]);
  });

  it('JSON bodies validate against the request schemas', () => {
    const problems = fake.requests.map((r) => ({
      call: `${r.method} ${r.path}`,
      problems: validateRequestBody(r.path, r.method, r.body === '' ? undefined : JSON.parse(r.body)),
    }));
    expect(problems.filter((p) => p.problems.length > 0)).toEqual([]);
  });

  it('mutating calls carry an Idempotency-Key and a JSON content type with their body', () => {
    for (const r of fake.requests.filter((q) => q.method !== 'GET')) {
      expect(r.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      if (r.body) expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('the fixtures this test answers with are themselves contract-valid', () => {
    const problems = Object.entries(answers).map(([route, [status, body]]) => {
      const [method, path] = route.split(' ') as [string, string];
      return { route, problems: validateResponse(path, method, status, body) };
    });
    expect(problems.filter((p) => p.problems.length > 0)).toEqual([]);
  });

  it('a request the contract forbids is caught (the checks can fail)', () => {
    expect(validateRequestBody('/appointments', 'POST', { calendarId: '101', start: 'soon' })).not.toEqual([]);
    const bogus = { method: 'GET', path: '/api/v1/availability', query: new URLSearchParams({ month: '2026-13', calendarId: '1' }), headers: {}, body: '' };
    expect(validateParameters(bogus)).toEqual(expect.arrayContaining([expect.stringContaining('calendarId'), expect.stringContaining('month')]));
  });
});
