import { parseRetryAfter } from '../core/retry-after.js';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Logger } from '../log.js';

/**
 * The HTTP half of the provider client: one request through a cockatiel policy
 * (overall timeout → retry with backoff → circuit breaker). Answers every call with a value:
 * either the provider's response (any status the retry policy did not swallow) or why none came.
 */

export interface TransportOptions {
  baseUrl: string;
  userId: string;
  apiKey: string;
  /** budget of one call, retries and backoff included */
  timeoutMs: number;
  /** attempts in all, the first one included */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  consecutiveFailures: number;
  halfOpenAfterMs: number;
  /** a response body longer than this is not read: the call answers `too_large` (default 2 MiB) */
  maxResponseBytes?: number;
  logger?: Logger;
  /** for log lines only */
  facilityId: string;
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** path below the base URL, starting with '/' */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  /** log label, e.g. "createAppointment" */
  operation: string;
}

export type TransportOutcome =
  | { kind: 'response'; status: number; body: unknown; rawText: string; attempts: number }
  | { kind: 'unavailable'; reason: 'timeout' | 'circuit_open' | 'network' | 'server_error'; status?: number; message: string; attempts: number }
  /** the body went past `maxResponseBytes`: reading stopped there and the connection was dropped */
  | { kind: 'too_large'; status: number; limitBytes: number; attempts: number };

export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** A body past the cap: not retried (the same request gets the same body), not a breaker failure. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limitBytes: number,
  ) {
    super(`provider response larger than ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Reads a body as a stream, giving up (and cancelling it) as soon as it passes `limit` bytes. */
export async function readCapped(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(res.status, limit);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(res.status, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A response worth another attempt (5xx, 429): thrown so retry and breaker see it. */
export class TransientStatusError extends Error {
  constructor(
    readonly status: number,
    readonly rawText: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
    this.name = 'TransientStatusError';
  }
}

export { parseRetryAfter } from '../core/retry-after.js';

/** Joins a base URL that may or may not end with '/' and a path that starts with '/'. */
export function joinUrl(baseUrl: string, path: string, query?: Record<string, string | undefined>): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''));
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.toString();
}

const isAbort = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError' || e instanceof TaskCancelledError);

/** Network-level failures fetch reports as TypeError('fetch failed') with the socket error as cause. */
const isNetworkError = (e: unknown): boolean => e instanceof TypeError || (e instanceof Error && 'code' in e && typeof e.code === 'string');

const describe = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ? `${e.message} (${code})` : e.message;
};

export interface Transport {
  send(req: ProviderRequest): Promise<TransportOutcome>;
}

export function createTransport(opts: TransportOptions): Transport {
  const authorization = 'Basic ' + Buffer.from(`${opts.userId}:${opts.apiKey}`).toString('base64');
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const log = opts.logger?.child({ component: 'provider-client', facilityId: opts.facilityId });

  // Failures that say "the provider is not answering properly": they count for the breaker.
  const transient = (e: Error): boolean => e instanceof TransientStatusError || isNetworkError(e) || isAbort(e);

  const breaker = circuitBreaker(handleWhen(transient), {
    halfOpenAfter: opts.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(opts.consecutiveFailures),
  });
  breaker.onBreak(() => log?.warn('provider circuit opened'));
  breaker.onReset(() => log?.info('provider circuit closed'));

  // A Retry-After longer than the whole call's budget is not worth waiting for.
  const retryable = (e: Error): boolean =>
    !(e instanceof BrokenCircuitError) &&
    !isAbort(e) &&
    transient(e) &&
    !(e instanceof TransientStatusError && e.retryAfterMs !== undefined && e.retryAfterMs >= opts.timeoutMs);

  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((ctx) => {
    const exponential = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** (ctx.attempt - 1));
    const jittered = exponential / 2 + Math.random() * (exponential / 2);
    const asked = 'error' in ctx.result && ctx.result.error instanceof TransientStatusError ? ctx.result.error.retryAfterMs : undefined;
    return asked !== undefined ? Math.max(asked, jittered) : jittered;
  });

  const retryPolicy = retry(handleWhen(retryable), { maxAttempts: Math.max(0, opts.maxAttempts - 1), backoff });

  const noRetry = retry(handleWhen(() => false), { maxAttempts: 0 });

  const deadline = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);

  const withRetry: IPolicy = wrap(deadline, retryPolicy, breaker);
  const once: IPolicy = wrap(deadline, noRetry, breaker);

  return {
    async send(req) {
      // POST/PUT are retried only when the provider can recognise the repeat by its key.
      const policy = req.method === 'GET' || req.idempotencyKey ? withRetry : once;
      const url = joinUrl(opts.baseUrl, req.path, req.query);
      const headers: Record<string, string> = { authorization, accept: 'application/json' };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      let attempts = 0;
      try {
        const answer = await policy.execute(async ({ signal }) => {
          attempts++;
          const res = await fetch(url, { method: req.method, headers, body, signal });
          const transientStatus = res.status >= 500 || res.status === 429;
          let rawText: string;
          try {
            rawText = await readCapped(res, maxBytes);
          } catch (e) {
            // an oversized error page is still an error page: its status decides
            if (!(e instanceof ResponseTooLargeError) || !transientStatus) throw e;
            rawText = '';
          }
          if (transientStatus) {
            throw new TransientStatusError(res.status, rawText, parseRetryAfter(res.headers.get('retry-after')));
          }
          return { status: res.status, rawText };
        });
        let parsed: unknown = undefined;
        if (answer.rawText.trim() !== '') {
          try {
            parsed = JSON.parse(answer.rawText);
          } catch {
            parsed = undefined;
          }
        }
        if (answer.status >= 400) log?.info({ operation: req.operation, status: answer.status, attempts }, 'provider refused');
        return { kind: 'response', status: answer.status, body: parsed, rawText: answer.rawText, attempts };
      } catch (e) {
        if (e instanceof ResponseTooLargeError) {
          log?.warn({ operation: req.operation, status: e.status, limitBytes: e.limitBytes, attempts }, 'provider response too large; not read');
          return { kind: 'too_large', status: e.status, limitBytes: e.limitBytes, attempts };
        }
        const outcome = toUnavailable(e, attempts);
        log?.warn({ operation: req.operation, reason: outcome.reason, status: outcome.status, attempts }, 'provider unavailable');
        return outcome;
      }
    },
  };
}

function toUnavailable(e: unknown, attempts: number): Extract<TransportOutcome, { kind: 'unavailable' }> {
  if (e instanceof BrokenCircuitError) return { kind: 'unavailable', reason: 'circuit_open', message: 'provider circuit is open', attempts };
  if (isAbort(e)) return { kind: 'unavailable', reason: 'timeout', message: 'provider did not answer in time', attempts };
  if (e instanceof TransientStatusError) {
    return { kind: 'unavailable', reason: 'server_error', status: e.status, message: `provider answered ${e.status}`, attempts };
  }
  return { kind: 'unavailable', reason: 'network', message: `provider unreachable: ${describe(e)}`, attempts };
}
