import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../src/provider/transport.js';
import { SECRETS, testConfig } from '../support/frontdesk.js';
import { clientFor, fakeProvider, sendJson } from './fake-provider.js';

/**
 * Issue 10: provider answers are size-capped (2 MiB by default, `provider.maxResponseBytes` per facility),
 * read as a stream and dropped as soon as they pass the cap, and reported as a typed error value
 * (`invalid` / `response_too_large`, with the provider's status), never read whole, never retried.
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function serve(handler: Parameters<typeof fakeProvider>[0]) {
  const fake = await fakeProvider(handler);
  closers.push(fake.close);
  return fake;
}

const MiB = 1024 * 1024;
const month = { month: '2026-12', calendarId: 'c', appointmentTypeId: 't' };

/** a 200 that streams `total` bytes of a valid-looking slots body, chunk by chunk, respecting backpressure */
function streaming(total: number, progress: { written: number; finished: boolean; closed: boolean }) {
  return (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked
    const slot = JSON.stringify({ start: '2026-12-01T09:00:00+08:00', end: '2026-12-01T09:30:00+08:00' });
    const chunk = Buffer.from(Array.from({ length: Math.floor((64 * 1024) / (slot.length + 1)) }, () => slot).join(',') + ',');
    res.write('{"slots":[');
    res.on('close', () => (progress.closed = true));
    const pump = () => {
      while (progress.written < total && !res.destroyed) {
        progress.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (res.destroyed) return;
      progress.finished = true;
      res.end(slot + ']}');
    };
    pump();
  };
}

describe('provider responses are size-capped', () => {
  it('a body streamed past the cap is dropped there: a typed error, one request, the provider cut off long before its end', async () => {
    const progress = { written: 0, finished: false, closed: false };
    const fake = await serve(streaming(64 * MiB, progress));
    const result = await clientFor(fake.url, { maxResponseBytes: 1 * MiB, timeoutMs: 20_000 }).availability(month);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'response_too_large', status: 200 } });
    expect(fake.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(progress.closed).toBe(true);
    expect(progress.finished).toBe(false);
    expect(progress.written).toBeLessThan(32 * MiB);
  });

  it('a declared Content-Length past the cap is refused before reading', async () => {
    const fake = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * MiB) });
      res.write('{"slots":['); // and then nothing: reading it would wait for the timeout
    });
    const started = Date.now();
    const result = await clientFor(fake.url, { maxResponseBytes: MiB, timeoutMs: 10_000 }).availability(month);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'response_too_large' } });
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s timeout
  });

  it('the default cap is 2 MiB; a body under the cap is read as usual, and the cap is per client', async () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(2 * MiB);
    const calendars = { calendars: Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, name: `Dr. Number ${i}`, appointmentTypes: [{ id: 't', name: 'Consultation' }] })) };
    const size = Buffer.byteLength(JSON.stringify(calendars));
    const fake = await serve((_req, res) => sendJson(res, 200, calendars));
    expect(await clientFor(fake.url).listCalendars()).toMatchObject({ ok: true });
    expect(await clientFor(fake.url, { maxResponseBytes: size }).listCalendars()).toMatchObject({ ok: true });
    expect(await clientFor(fake.url, { maxResponseBytes: size - 1 }).listCalendars()).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'response_too_large' } });
  });

  it('an oversized error page of a 503 is still "unavailable" and retried', async () => {
    const fake = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>' + 'x'.repeat(3 * MiB) + '</html>');
    });
    const result = await clientFor(fake.url, { maxResponseBytes: MiB }).listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind: 'unavailable', status: 503 } });
    expect(fake.requests).toHaveLength(3);
  });

  it('`provider.maxResponseBytes` is a facility setting, 2 MiB unless given', () => {
    expect(testConfig({ platformsUrl: 'http://127.0.0.1:9' }).facilities[0]!.provider.maxResponseBytes).toBe(2 * MiB);
    const provider = { baseUrl: 'sandbox', userId: 'st-lukes', apiKey: 'st-lukes-key', webhookSecret: SECRETS.webhookSecret, maxResponseBytes: 8 * MiB };
    expect(testConfig({ platformsUrl: 'http://127.0.0.1:9', facility: { provider } }).facilities[0]!.provider.maxResponseBytes).toBe(8 * MiB);
  });
});
