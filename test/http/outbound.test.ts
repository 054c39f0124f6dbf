import Bottleneck from 'bottleneck';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/core/retry-after.js';
import { callPlatform } from '../../src/outbound/index.js';
import { captureServer, json } from '../support/http-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('callPlatform', () => {
  it('waits for Retry-After on a 429 and then succeeds', async () => {
    const srv = await captureServer((_r, n, res) => (n === 1 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '0' }) : json(res, 200, { message_id: 'm1' })));
    close = srv.close;
    const r = await callPlatform({ url: `${srv.url}/send`, body: '{"a":1}' }, { initialDelayMs: 1 });
    expect(r).toMatchObject({ ok: true, status: 200, body: { message_id: 'm1' }, attempts: 2 });
    expect(srv.requests.map((q) => q.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('gives up on a 500 that never ends, as a value with the attempts counted', async () => {
    const srv = await captureServer((_r, _n, res) => json(res, 500, { error: 'boom' }));
    close = srv.close;
    const r = await callPlatform({ url: srv.url }, { initialDelayMs: 1, maxAttempts: 3 });
    expect(r).toMatchObject({ ok: false, status: 500, attempts: 3, retryable: true });
    expect(srv.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const srv = await captureServer((_r, _n, res) => json(res, 400, { error: { code: 100 } }));
    close = srv.close;
    const r = await callPlatform({ url: srv.url }, { initialDelayMs: 1 });
    expect(r).toMatchObject({ ok: false, status: 400, attempts: 1, retryable: false, body: { error: { code: 100 } } });
  });

  it('reports a refused connection as a retryable failure, never a throw', async () => {
    const srv = await captureServer((_r, _n, res) => json(res, 200, {}));
    const url = srv.url;
    await srv.close();
    const r = await callPlatform({ url }, { initialDelayMs: 1, maxAttempts: 2 });
    expect(r).toMatchObject({ ok: false, attempts: 2, retryable: true });
  });

  it('lets the platform say a 4xx is retryable, and runs every attempt through the limiter', async () => {
    const srv = await captureServer((_r, n, res) => (n < 3 ? json(res, 400, { status: 12 }) : json(res, 200, { status: 0 })));
    close = srv.close;
    const limiter = new Bottleneck({ maxConcurrent: 1 });
    let scheduled = 0;
    limiter.on('queued', () => (scheduled += 1));
    const r = await callPlatform({ url: srv.url }, { limiter, initialDelayMs: 1, isRetryable: (_s, body) => (body as { status?: number }).status === 12 });
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(scheduled).toBe(3);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('one Retry-After reader (issue 12: the platform and provider clients disagreed)', () => {
  it('is read once, by the one outbound client both use, and a blank value is unreadable rather than "now"', async () => {
    const provider = await import('../../src/provider/transport.js');
    expect('parseRetryAfter' in provider).toBe(false); // no second client to read it differently
    expect(parseRetryAfter('   ')).toBeUndefined();
    expect(parseRetryAfter(' 3 ')).toBe(3000);
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});
