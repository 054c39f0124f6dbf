/**
 * Issue 12: the one outbound HTTP client (src/outbound), against a real local HTTP server on an ephemeral
 * port: timeouts, Retry-After (seconds and HTTP date), the breaker's open / half-open / closed, the limiter
 * on every attempt, and which calls may be repeated.
 */
import Bottleneck from 'bottleneck';
import { afterEach, describe, expect, it } from 'vitest';
import { call, CircuitState, createBreaker, type Limiter } from '../../src/outbound/index.js';
import { captureServer, json } from '../support/http-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** a server answering with `respond`, remembering when each request arrived */
async function serve(respond: Parameters<typeof captureServer>[0]) {
  const arrivals: number[] = [];
  const srv = await captureServer((req, n, res) => {
    arrivals.push(Date.now());
    return respond(req, n, res);
  });
  closers.push(srv.close);
  return { ...srv, arrivals };
}

const fast = { initialDelayMs: 1, maxDelayMs: 5 };
const waitUntil = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('outbound client: answers are values', () => {
  it('a 2xx is an answer with its JSON body and raw text; a 4xx is an answer too, not retried', async () => {
    const srv = await serve((req, _n, res) => (req.url === '/ok' ? json(res, 200, { id: 'm1' }) : json(res, 404, { error: 'nope' })));
    expect(await call({ url: `${srv.url}/ok`, method: 'GET' })).toMatchObject({ kind: 'answer', status: 200, body: { id: 'm1' }, text: '{"id":"m1"}', attempts: 1 });
    expect(await call({ url: `${srv.url}/missing`, method: 'GET' }, { backoff: fast })).toMatchObject({ kind: 'answer', status: 404, body: { error: 'nope' }, attempts: 1 });
    expect(srv.requests).toHaveLength(2);
  });

  it('a 5xx is retried, then given up on with the last answer and every attempt counted', async () => {
    const srv = await serve((_r, _n, res) => json(res, 503, { error: 'busy' }));
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 3, backoff: fast })).toMatchObject({ kind: 'gave_up', status: 503, body: { error: 'busy' }, attempts: 3 });
    expect(srv.requests).toHaveLength(3);
  });

  it('the classifier decides from the body (a 200 carrying a platform error may be retried)', async () => {
    const srv = await serve((_r, n, res) => json(res, 200, { status: n < 3 ? 12 : 0 }));
    const r = await call({ url: srv.url, method: 'POST', body: '{}' }, { idempotent: true, attempts: 4, backoff: fast, retryable: (_s, b) => (b as { status: number }).status === 12 });
    expect(r).toMatchObject({ kind: 'answer', status: 200, body: { status: 0 }, attempts: 3 });
  });

  it('a body past the cap is dropped unread: too_large, not retried', async () => {
    const srv = await serve((_r, _n, res) => json(res, 200, { pad: 'x'.repeat(10_000) }));
    expect(await call({ url: srv.url, method: 'GET' }, { maxResponseBytes: 1000, backoff: fast })).toMatchObject({ kind: 'too_large', status: 200, limitBytes: 1000, attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('never throws: a refused connection is a network outcome with its code, a throwing classifier an error outcome', async () => {
    const srv = await serve((_r, _n, res) => json(res, 200, {}));
    const bad = await call({ url: srv.url, method: 'GET' }, { retryable: () => { throw new Error('classifier bug'); } });
    expect(bad).toMatchObject({ kind: 'error', attempts: 1, message: 'Error: classifier bug' });
    const url = srv.url;
    await closers.pop()!();
    expect(await call({ url, method: 'GET' }, { attempts: 2, backoff: fast })).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', attempts: 2 });
  });
});

describe('outbound client: timeouts', () => {
  it('an attempt past timeoutMs is a timeout; an idempotent call tries again, each attempt with its own limit', async () => {
    const srv = await serve(() => undefined); // never answers
    expect(await call({ url: srv.url, method: 'GET' }, { timeoutMs: 100, attempts: 3, backoff: fast })).toMatchObject({ kind: 'timeout', attempts: 3 });
    expect(srv.requests).toHaveLength(3);
  });

  it('deadlineMs bounds the whole call, retries included: one slow attempt uses it all', async () => {
    const srv = await serve(() => undefined);
    expect(await call({ url: srv.url, method: 'GET' }, { deadlineMs: 200, attempts: 3, backoff: fast })).toMatchObject({ kind: 'timeout', attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('a slow body counts against the attempt timeout too', async () => {
    const srv = await serve((_r, _n, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slots":['); // and nothing more
    });
    expect(await call({ url: srv.url, method: 'GET' }, { timeoutMs: 150, attempts: 1 })).toMatchObject({ kind: 'timeout', attempts: 1 });
  });
});

describe('outbound client: what may be repeated', () => {
  it('a call that is not idempotent is not retried after a timeout (the server may have acted on it)', async () => {
    const srv = await serve(() => undefined);
    expect(await call({ url: srv.url, method: 'POST', body: '{}' }, { timeoutMs: 100, attempts: 3, backoff: fast })).toMatchObject({ kind: 'timeout', attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('nor after a 5xx or a reset; but a 429 (not taken) is retried', async () => {
    const five = await serve((_r, _n, res) => json(res, 500, {}));
    expect(await call({ url: five.url, method: 'POST' }, { attempts: 3, backoff: fast })).toMatchObject({ kind: 'gave_up', status: 500, attempts: 1 });
    const reset = await serve((_r, _n, res) => void res.socket?.destroy());
    expect(await call({ url: reset.url, method: 'POST' }, { attempts: 3, backoff: fast })).toMatchObject({ kind: 'network', attempts: 1 });
    const busy = await serve((_r, n, res) => (n === 1 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 201, { id: 'x' })));
    expect(await call({ url: busy.url, method: 'POST' }, { attempts: 3, backoff: fast })).toMatchObject({ kind: 'answer', status: 201, attempts: 2 });
  });

  it('a refused connection sent nothing: retried even when the call is not idempotent', async () => {
    const srv = await serve((_r, _n, res) => json(res, 200, {}));
    const url = srv.url;
    await closers.pop()!();
    expect(await call({ url, method: 'POST', body: '{}' }, { attempts: 3, backoff: fast })).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', attempts: 3 });
  });

  it('the same call marked idempotent (a write with an idempotency key) is retried after a timeout', async () => {
    const srv = await serve((_r, n, res) => (n === 1 ? undefined : json(res, 201, { id: 'A-1' })));
    const r = await call({ url: srv.url, method: 'POST', headers: { 'idempotency-key': 'k1' }, body: '{}' }, { idempotent: true, timeoutMs: 150, attempts: 3, backoff: fast });
    expect(r).toMatchObject({ kind: 'answer', status: 201, attempts: 2 });
    expect(srv.requests.map((q) => q.headers['idempotency-key'])).toEqual(['k1', 'k1']);
  });
});

describe('outbound client: Retry-After', () => {
  // the backoff alone waits at most 5 ms here: a gap of about a second is the server's Retry-After
  it('waits the seconds the server asked for', async () => {
    const srv = await serve((_r, n, res) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { ok: true })));
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 2, backoff: fast })).toMatchObject({ kind: 'answer', status: 200, attempts: 2 });
    expect(srv.arrivals[1]! - srv.arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it('waits until the HTTP date the server named', async () => {
    let until = 0;
    const srv = await serve((_r, n, res) => {
      if (n > 1) return json(res, 200, { ok: true });
      const at = new Date(Date.now() + 2000);
      until = Math.floor(at.getTime() / 1000) * 1000; // an HTTP date has whole seconds
      json(res, 503, {}, { 'retry-after': at.toUTCString() });
    });
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 2, backoff: fast })).toMatchObject({ kind: 'answer', attempts: 2 });
    expect(srv.arrivals[1]!).toBeGreaterThanOrEqual(until - 50);
    expect(srv.arrivals[1]! - srv.arrivals[0]!).toBeGreaterThanOrEqual(900);
  });

  it('reports what was asked when it gives up', async () => {
    const srv = await serve((_r, _n, res) => json(res, 429, {}, { 'retry-after': '7' }));
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 1 })).toMatchObject({ kind: 'gave_up', status: 429, retryAfterMs: 7000 });
  });

  it('a Retry-After past what is left of the budget is not waited for: one request, given up at once', async () => {
    const srv = await serve((_r, _n, res) => json(res, 429, {}, { 'retry-after': '120' }));
    expect(await call({ url: srv.url, method: 'GET' }, { deadlineMs: 3000, attempts: 3, backoff: fast })).toMatchObject({ kind: 'gave_up', status: 429, attempts: 1 });
    expect(srv.requests).toHaveLength(1);
  });

  it('maxRetryAfterMs caps the wait (a platform asking for minutes gets tried again sooner)', async () => {
    const srv = await serve((_r, n, res) => (n === 1 ? json(res, 429, {}, { 'retry-after': '600' }) : json(res, 200, {})));
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 2, backoff: { ...fast, maxRetryAfterMs: 10 } })).toMatchObject({ kind: 'answer', attempts: 2 });
  });
});

describe('outbound client: breaker', () => {
  it('opens after N consecutive failures, then fails fast without calling the server', async () => {
    const srv = await serve((_r, _n, res) => json(res, 500, {}));
    const breaker = createBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) expect(await call({ url: srv.url, method: 'GET' }, { attempts: 1, breaker })).toMatchObject({ kind: 'gave_up', status: 500 });
    expect(breaker.state).toBe(CircuitState.Open);
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 3, breaker, backoff: fast })).toMatchObject({ kind: 'circuit_open', attempts: 0 });
    expect(srv.requests).toHaveLength(3);
  });

  it('counts every failed attempt of a retried call; a 4xx refusal is no failure', async () => {
    const srv = await serve((req, _n, res) => (req.url === '/gone' ? json(res, 404, {}) : json(res, 502, {})));
    const breaker = createBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 5; i++) await call({ url: `${srv.url}/gone`, method: 'GET' }, { breaker });
    expect(breaker.state).toBe(CircuitState.Closed);
    expect(await call({ url: srv.url, method: 'GET' }, { attempts: 3, breaker, backoff: fast })).toMatchObject({ kind: 'circuit_open', attempts: 2 });
    expect(srv.requests.filter((q) => q.url === '/')).toHaveLength(2);
  });

  it('timeouts and resets are failures too', async () => {
    const srv = await serve((req, _n, res) => (req.url === '/reset' ? void res.socket?.destroy() : undefined));
    const breaker = createBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 });
    await call({ url: `${srv.url}/reset`, method: 'GET' }, { attempts: 1, breaker });
    await call({ url: `${srv.url}/slow`, method: 'GET' }, { attempts: 1, timeoutMs: 100, breaker });
    expect(breaker.state).toBe(CircuitState.Open);
  });

  it('half-opens after halfOpenAfterMs: a failed trial opens it again, a good one closes it', async () => {
    let healthy = false;
    const srv = await serve((_r, _n, res) => (healthy ? json(res, 200, { ok: true }) : json(res, 503, {})));
    const events: string[] = [];
    const breaker = createBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 50, onBreak: () => events.push('break'), onHalfOpen: () => events.push('half-open'), onReset: () => events.push('reset') });
    const get = () => call({ url: srv.url, method: 'GET' }, { attempts: 1, breaker });
    await get();
    await get();
    expect(await get()).toMatchObject({ kind: 'circuit_open' });
    await new Promise((r) => setTimeout(r, 80));
    expect(await get()).toMatchObject({ kind: 'gave_up', status: 503 }); // the trial call, still failing
    expect(await get()).toMatchObject({ kind: 'circuit_open' });
    healthy = true;
    await new Promise((r) => setTimeout(r, 80));
    expect(await get()).toMatchObject({ kind: 'answer', status: 200 });
    expect(breaker.state).toBe(CircuitState.Closed);
    expect(await get()).toMatchObject({ kind: 'answer', status: 200 });
    expect(events).toEqual(['break', 'half-open', 'break', 'half-open', 'reset']);
    expect(srv.requests).toHaveLength(5);
  });
});

describe('outbound client: limiter', () => {
  it('every attempt, retries included, waits for its own turn in the limiter', async () => {
    const srv = await serve((_r, n, res) => (n < 3 ? json(res, 500, {}) : json(res, 200, { ok: true })));
    const turns: (() => void)[] = [];
    const gate: Limiter = { schedule: (fn) => new Promise((resolve, reject) => turns.push(() => void fn().then(resolve, reject))) };
    const pending = call({ url: srv.url, method: 'GET' }, { attempts: 4, limiter: gate, backoff: fast });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitUntil(() => turns.length === attempt);
      expect(srv.requests).toHaveLength(attempt - 1); // held in the limiter: not sent
      turns[attempt - 1]!();
      await waitUntil(() => srv.requests.length === attempt);
    }
    expect(await pending).toMatchObject({ kind: 'answer', status: 200, attempts: 3 });
    expect(turns).toHaveLength(3);
  });

  it('a Bottleneck schedules every attempt, by priority', async () => {
    const seen = new Map<string, number>();
    // each call's first attempt is refused, its retry answered
    const srv = await serve((req, _n, res) => {
      seen.set(req.url, (seen.get(req.url) ?? 0) + 1);
      return seen.get(req.url) === 1 ? json(res, 503, {}) : json(res, 200, { url: req.url });
    });
    const limiter = new Bottleneck({ maxConcurrent: 1, minTime: 10 });
    let executed = 0;
    limiter.on('executing', () => (executed += 1));
    // keep the limiter busy so the three calls queue up behind it, then let them go
    let release!: () => void;
    const blocker = limiter.schedule({ priority: 0 }, () => new Promise<void>((r) => (release = r)));
    await waitUntil(() => executed === 1);
    const calls = [9, 5, 0].map((priority) => call({ url: `${srv.url}/p${priority}`, method: 'GET' }, { attempts: 2, limiter, priority, backoff: fast }));
    await waitUntil(() => limiter.counts().QUEUED === 3);
    expect(srv.requests).toHaveLength(0);
    release();
    await blocker;
    const outcomes = await Promise.all(calls);
    expect(outcomes.map((o) => [o.kind, o.attempts])).toEqual([['answer', 2], ['answer', 2], ['answer', 2]]);
    const urls = srv.requests.map((q) => q.url);
    expect([...new Set(urls)]).toEqual(['/p0', '/p5', '/p9']); // first attempts in priority order
    expect(urls).toHaveLength(6);
    expect(executed).toBe(1 + 6); // the blocker, then every attempt
  });

  it('a call whose budget ran out while waiting in the limiter is not sent', async () => {
    const srv = await serve((_r, _n, res) => json(res, 200, {}));
    const turns: (() => void)[] = [];
    const gate: Limiter = { schedule: (fn) => new Promise((resolve, reject) => turns.push(() => void fn().then(resolve, reject))) };
    expect(await call({ url: srv.url, method: 'GET' }, { deadlineMs: 100, limiter: gate })).toMatchObject({ kind: 'timeout', attempts: 0 });
    turns[0]!();
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.requests).toHaveLength(0);
  });
});
