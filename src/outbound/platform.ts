import { call, retryableByDefault, type OutboundOutcome } from './client.js';
import type { Limiter } from './limiter.js';

/**
 * The channels' face of the client: one call to a messaging platform's send API, with a timeout per
 * attempt, retries on network errors, timeouts, 429 and 5xx (honouring Retry-After, up to `maxDelayMs`),
 * and the channel's rate limit on every attempt. Never throws: the outcome is a value the sender records.
 */

export interface PlatformRequest {
  url: string;
  method?: 'POST' | 'GET' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
}

export type PlatformResponse =
  | { ok: true; status: number; body: unknown; attempts: number }
  | { ok: false; status?: number; body?: unknown; attempts: number; retryable: boolean; reason: string };

export interface PlatformCallOptions {
  /** per-channel rate limit (Bottleneck); every attempt goes through it */
  limiter?: Limiter;
  /** Bottleneck priority, 0 (first) to 9 (last); default 5 */
  priority?: number;
  /** attempts in all (default 4) */
  maxAttempts?: number;
  /** per attempt (default 10 s) */
  timeoutMs?: number;
  initialDelayMs?: number;
  /** the backoff's ceiling, and the longest Retry-After waited for (default 30 s) */
  maxDelayMs?: number;
  /** decides from a parsed error body whether a 4xx/5xx is worth retrying (platform error codes) */
  isRetryable?: (status: number, body: unknown) => boolean;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** a platform body: JSON when it is JSON, else its text (undefined when empty) */
const bodyOf = (r: { body: unknown; text: string }): unknown => (r.body !== undefined ? r.body : r.text === '' ? undefined : r.text);

export async function callPlatform(req: PlatformRequest, opts: PlatformCallOptions = {}): Promise<PlatformResponse> {
  const isRetryable = opts.isRetryable ?? retryableByDefault;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const r = await call(
    { url: req.url, method: req.method ?? 'POST', headers: { 'content-type': 'application/json', ...req.headers }, ...(req.body !== undefined ? { body: req.body } : {}) },
    {
      attempts: opts.maxAttempts ?? 4,
      timeoutMs: opts.timeoutMs ?? 10_000,
      // a send is repeated after a timeout or a reset: a message twice beats a message lost (the outbox dedupes jobs, not deliveries)
      idempotent: true,
      retryable: (status, body) => !is2xx(status) && isRetryable(status, body),
      backoff: { initialDelayMs: opts.initialDelayMs ?? 200, maxDelayMs, maxRetryAfterMs: maxDelayMs },
      ...(opts.limiter ? { limiter: opts.limiter } : {}),
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    },
  );
  return toPlatformResponse(r);
}

function toPlatformResponse(r: OutboundOutcome): PlatformResponse {
  const { attempts } = r;
  switch (r.kind) {
    case 'answer':
      if (is2xx(r.status)) return { ok: true, status: r.status, body: bodyOf(r), attempts };
      return { ok: false, status: r.status, body: bodyOf(r), attempts, retryable: false, reason: `HTTP ${r.status}` };
    case 'gave_up':
      return { ok: false, status: r.status, body: bodyOf(r), attempts, retryable: true, reason: `HTTP ${r.status} after ${attempts} attempts` };
    case 'too_large':
      return { ok: false, status: r.status, attempts, retryable: false, reason: `response larger than ${r.limitBytes} bytes` };
    default:
      return { ok: false, attempts, retryable: true, reason: `${r.kind}: ${r.message}` };
  }
}
