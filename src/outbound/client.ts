import { BrokenCircuitError, TimeoutStrategy, handleWhen, noop, retry, timeout, wrap, type IPolicy } from 'cockatiel';
import { parseRetryAfter } from '../core/retry-after.js';
import { retryAfterBackoff, type BackoffOptions } from './backoff.js';
import { parseJson, readCapped, ResponseTooLargeError } from './body.js';
import type { Breaker } from './breaker.js';
import { describe, errorCode, isNetworkError, isTimeout, neverConnected, NotSent, RetryableAnswer } from './failures.js';
import { throughLimiter, type Limiter } from './limiter.js';

/**
 * The one outbound HTTP client: the messaging platforms' send APIs and the hospital's API both go through
 * `call`. Per attempt: breaker → limiter → timeout → fetch → capped read → classify; around the attempts:
 * retry with a Retry-After-aware backoff, inside an optional budget for the whole call. Never throws.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  url: string;
  method: HttpMethod;
  headers?: Record<string, string>;
  body?: string;
}

export interface CallOptions {
  /** attempts in all, the first one included (default 3) */
  attempts?: number;
  /** one attempt's limit, reading the body included (its wait in the limiter is not) */
  timeoutMs?: number;
  /** the whole call's budget: attempts, backoff and limiter waits included; a Retry-After past what is left is not waited for */
  deadlineMs?: number;
  /**
   * Repeating the request is harmless (a read, or a write the server recognises by its key). Default: true for
   * GET, HEAD, PUT and DELETE. A call that is not is retried only when the request cannot have been acted on:
   * the connection was never made, or the server answered 429. Never after a timeout, a reset or a 5xx.
   */
  idempotent?: boolean;
  /** whether an answer (any status, its body JSON-parsed when it is JSON) is worth another attempt; default 429 and 5xx */
  retryable?: (status: number, body: unknown) => boolean;
  backoff?: BackoffOptions;
  /** shared by every call to the same upstream; a retryable answer, a timeout or a network error counts as a failure */
  breaker?: Breaker;
  /** every attempt (retries included) goes through it */
  limiter?: Limiter;
  /** Bottleneck priority, 0 (first) to 9 (last); default 5 */
  priority?: number;
  /** a body longer than this is not read: the call answers `too_large` (default: no cap) */
  maxResponseBytes?: number;
}

interface Answer {
  status: number;
  headers: Headers;
  /** the body as text ('' when empty, or when an error page past the cap was dropped) */
  text: string;
  /** the body JSON-parsed, undefined when it is not JSON */
  body: unknown;
}

export type OutboundOutcome =
  /** an answer the classifier did not call retryable: a success, or a refusal that another attempt would not change */
  | ({ kind: 'answer'; attempts: number } & Answer)
  /** the last answer was still retryable when the attempts ran out (or the Retry-After asked for more than the budget left) */
  | ({ kind: 'gave_up'; attempts: number; retryAfterMs?: number } & Answer)
  | { kind: 'timeout'; attempts: number; message: string }
  | { kind: 'network'; attempts: number; message: string; code?: string }
  /** the breaker is open: nothing was sent */
  | { kind: 'circuit_open'; attempts: number; message: string }
  /** the body went past `maxResponseBytes`: reading stopped there and the connection was dropped (not retried) */
  | { kind: 'too_large'; attempts: number; status: number; limitBytes: number }
  /** anything else (a bug in a classifier): still a value */
  | { kind: 'error'; attempts: number; message: string };

export const retryableByDefault = (status: number): boolean => status === 429 || status >= 500;

const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

type TooLarge = { tooLarge: true; status: number; limitBytes: number };

export async function call(req: OutboundRequest, opts: CallOptions = {}): Promise<OutboundOutcome> {
  const idempotent = opts.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
  const classify = opts.retryable ?? retryableByDefault;
  const deadlineAt = opts.deadlineMs !== undefined ? Date.now() + opts.deadlineMs : Number.POSITIVE_INFINITY;
  let attempts = 0;

  const shouldRetry = (e: Error): boolean => {
    if (e instanceof BrokenCircuitError || e instanceof NotSent) return false;
    if (e instanceof RetryableAnswer) {
      if (e.retryAfterMs !== undefined && Date.now() + e.retryAfterMs >= deadlineAt) return false;
      return idempotent || e.status === 429;
    }
    if (isTimeout(e)) return idempotent;
    if (isNetworkError(e)) return idempotent || neverConnected(e);
    return false;
  };

  const attemptTimeout: IPolicy = opts.timeoutMs !== undefined ? timeout(opts.timeoutMs, TimeoutStrategy.Aggressive) : noop;
  const policy: IPolicy = wrap(
    opts.deadlineMs !== undefined ? timeout(opts.deadlineMs, TimeoutStrategy.Aggressive) : noop,
    retry(handleWhen(shouldRetry), { maxAttempts: Math.max(0, (opts.attempts ?? 3) - 1), backoff: retryAfterBackoff(opts.backoff) }),
    opts.breaker ?? noop,
  );

  const once = async (signal: AbortSignal): Promise<Answer | TooLarge> => {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
    let text: string;
    try {
      text = await readCapped(res, opts.maxResponseBytes);
    } catch (e) {
      if (!(e instanceof ResponseTooLargeError)) throw e;
      // an oversized error page is still an error page: its status decides
      if (!classify(res.status, undefined)) return { tooLarge: true, status: res.status, limitBytes: e.limitBytes };
      text = '';
    }
    const body = parseJson(text);
    if (classify(res.status, body)) throw new RetryableAnswer(res.status, res.headers, text, body, parseRetryAfter(res.headers.get('retry-after')));
    return { status: res.status, headers: res.headers, text, body };
  };

  try {
    const r = await policy.execute(({ signal }) =>
      throughLimiter(opts.limiter, opts.priority, () => {
        // the budget ran out while this attempt waited (limiter, backoff): it is not sent
        if (signal.aborted) return Promise.reject(new NotSent());
        attempts++;
        return attemptTimeout.execute(({ signal: attemptSignal }) => once(attemptSignal), signal);
      }),
    );
    if ('tooLarge' in r) return { kind: 'too_large', attempts, status: r.status, limitBytes: r.limitBytes };
    return { kind: 'answer', attempts, ...r };
  } catch (e) {
    return failed(e, attempts);
  }
}

function failed(e: unknown, attempts: number): OutboundOutcome {
  if (e instanceof RetryableAnswer) {
    const { status, headers, text, body, retryAfterMs } = e;
    return { kind: 'gave_up', attempts, status, headers, text, body, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (e instanceof BrokenCircuitError) return { kind: 'circuit_open', attempts, message: e.message };
  if (isTimeout(e)) return { kind: 'timeout', attempts, message: describe(e) };
  if (isNetworkError(e)) {
    const code = errorCode(e);
    return { kind: 'network', attempts, message: describe(e), ...(code !== undefined ? { code } : {}) };
  }
  return { kind: 'error', attempts, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}
