import { afterEach, describe, expect, it } from 'vitest';
import { appointmentFixture, clientFor, fakeProvider, sendJson } from './fake-provider.js';

const input = {
  calendarId: 'cal-1',
  appointmentTypeId: 'type-1',
  start: '2026-12-01T09:30:00+08:00',
  patient: { name: 'Juan Dela Cruz', phone: '+639171234567', dob: '1990-05-01' },
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function serve(handler: Parameters<typeof fakeProvider>[0]) {
  const fake = await fakeProvider(handler);
  closers.push(fake.close);
  return fake;
}

describe('provider client: transport', () => {
  it('sends Basic auth to the base URL joined with the endpoint path, whatever the trailing slash', async () => {
    const fake = await serve((_req, res) => sendJson(res, 200, { calendars: [] }));
    await clientFor(fake.url).listCalendars();
    await clientFor(fake.url, { baseUrl: `${fake.url}/v1/` }).listCalendars();
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/calendars', '/v1/calendars']);
    expect(fake.requests[0]?.headers.authorization).toBe('Basic ' + Buffer.from('user-1:key-1').toString('base64'));
  });

  it('a provider that never answers gives unavailable once the timeout passes', async () => {
    const fake = await serve(() => undefined); // never answers
    const result = await clientFor(fake.url, { timeoutMs: 300 }).listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable', code: 'timeout' } });
    expect(fake.requests).toHaveLength(1);
  });

  it('a 500 is retried and then reported as unavailable', async () => {
    const fake = await serve((_req, res) => sendJson(res, 500, { error: 'internal', message: 'boom' }));
    const result = await clientFor(fake.url).listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable', status: 500 } });
    expect(fake.requests).toHaveLength(3);
  });

  it('a 500 followed by a good answer succeeds on the retry', async () => {
    const fake = await serve((_req, res, n) => (n === 1 ? sendJson(res, 503, {}) : sendJson(res, 200, { calendars: [{ id: 'c', name: 'C', appointmentTypes: [] }] })));
    const result = await clientFor(fake.url).listCalendars();
    expect(result.ok && result.value.map((c) => c.id)).toEqual(['c']);
    expect(fake.requests).toHaveLength(2);
  });

  it('a connection reset gives unavailable after the retries', async () => {
    const fake = await serve((_req, res) => void res.socket?.destroy());
    const result = await clientFor(fake.url).availability({ month: '2026-12', calendarId: 'c', appointmentTypeId: 't' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable', code: 'network' } });
    expect(fake.requests).toHaveLength(3);
  });

  it('4xx answers are not retried', async () => {
    const fake = await serve((_req, res) => sendJson(res, 409, { error: 'slot_unavailable', message: 'taken' }));
    const result = await clientFor(fake.url).createAppointment(input, 'key-409');
    expect(result).toMatchObject({ ok: false, error: { kind: 'slot_unavailable', status: 409, code: 'slot_unavailable' } });
    expect(fake.requests).toHaveLength(1);
  });

  it('a 429 is retried after the Retry-After the provider asked for', async () => {
    const fake = await serve((_req, res, n) => (n === 1 ? sendJson(res, 429, { error: 'rate_limited' }, { 'retry-after': '1' }) : sendJson(res, 200, { calendars: [] })));
    const result = await clientFor(fake.url).listCalendars();
    expect(result.ok).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });

  it('a 429 asking to wait longer than the call budget is not waited for', async () => {
    const fake = await serve((_req, res) => sendJson(res, 429, { error: 'rate_limited' }, { 'retry-after': '120' }));
    const result = await clientFor(fake.url).listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable', status: 429 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('a POST whose answer is lost after the booking is retried with the same key and books once', async () => {
    const booked = new Map<string, ReturnType<typeof appointmentFixture>>();
    let created = 0;
    const fake = await serve((req, res, n) => {
      const key = String(req.headers['idempotency-key']);
      let appointment = booked.get(key);
      if (!appointment) {
        created++;
        appointment = appointmentFixture({ appointmentId: `A-${created}` });
        booked.set(key, appointment);
      }
      // the first attempt books, then the connection drops before the answer
      if (n === 1) return void res.socket?.destroy();
      sendJson(res, 201, appointment);
    });
    const result = await clientFor(fake.url).createAppointment(input, 'booking-key-1');
    expect(result).toMatchObject({ ok: true, value: { appointmentId: 'A-1' } });
    expect(fake.requests).toHaveLength(2);
    expect(new Set(fake.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['booking-key-1']));
    expect(fake.requests.map((r) => r.body)).toEqual(fake.requests.map(() => fake.requests[0]?.body));
    expect(created).toBe(1);
  });

  it('sends the Idempotency-Key on reschedule, cancel and confirm too', async () => {
    const fake = await serve((req, res) => sendJson(res, 200, appointmentFixture({ status: req.path.endsWith('cancel') ? 'CANCELED' : 'CONFIRMED' })));
    const client = clientFor(fake.url);
    await client.reschedule('A-1', '2026-12-02T09:00:00+08:00', 'k-r');
    await client.cancel('A-1', undefined, 'k-c');
    await client.confirm('A-1', 'k-f');
    expect(fake.requests.map((r) => [r.method, r.path, r.headers['idempotency-key']])).toEqual([
      ['PUT', '/api/v1/appointments/A-1/reschedule', 'k-r'],
      ['PUT', '/api/v1/appointments/A-1/cancel', 'k-c'],
      ['PUT', '/api/v1/appointments/A-1/confirm', 'k-f'],
    ]);
  });

  it('the breaker opens after N failures and then fails fast without calling the provider', async () => {
    const fake = await serve((_req, res) => sendJson(res, 500, {}));
    const client = clientFor(fake.url, { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect(await client.listCalendars()).toMatchObject({ ok: false, error: { kind: 'unavailable', status: 500 } });
    expect(fake.requests).toHaveLength(3);
    const fast = await client.availability({ month: '2026-12', calendarId: 'c', appointmentTypeId: 't' });
    expect(fast).toMatchObject({ ok: false, error: { kind: 'unavailable', code: 'circuit_open' } });
    expect(fake.requests).toHaveLength(3);
  });

  it('the breaker is per client: another facility\'s client still calls its provider', async () => {
    const fake = await serve((_req, res) => sendJson(res, 500, {}));
    const opts = { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } };
    const a = clientFor(fake.url, opts);
    await a.listCalendars();
    expect(await a.listCalendars()).toMatchObject({ ok: false, error: { code: 'circuit_open' } });
    await clientFor(fake.url, opts).listCalendars();
    expect(fake.requests).toHaveLength(2);
  });

  it('the breaker half-opens and closes again once the provider recovers', async () => {
    let healthy = false;
    const fake = await serve((_req, res) => (healthy ? sendJson(res, 200, { calendars: [] }) : sendJson(res, 502, {})));
    const client = clientFor(fake.url, { retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 50 } });
    await client.listCalendars();
    await client.listCalendars();
    expect(await client.listCalendars()).toMatchObject({ ok: false, error: { code: 'circuit_open' } });
    healthy = true;
    await new Promise((r) => setTimeout(r, 120));
    expect(await client.listCalendars()).toMatchObject({ ok: true, value: [] });
    expect(await client.listCalendars()).toMatchObject({ ok: true, value: [] });
  });
});
