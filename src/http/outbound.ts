import type Bottleneck from 'bottleneck';
import { parseRetryAfter } from '../core/retry-after.js';
import { ExponentialBackoff, handleWhen, retry, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';

/** One call to a messaging platform's send API. */
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
  limiter?: Bottleneck;
  /** Bottleneck priority, 0 (first) to 9 (last); default 5 */
  priority?: number;
  /** attempts in all (default 4) */
  maxAttempts?: number;
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** decides from a parsed error body whether a 4xx/5xx is worth retrying (platform error codes) */
  isRetryable?: (status: number, body: unknown) => boolean;
}

class RetryableStatus extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

export { parseRetryAfter } from '../core/retry-after.js';

/** Backoff that waits at least what the platform asked for in Retry-After. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly inner: IBackoffFactory<IRetryBackoffContext<unknown>>, private readonly maxDelayMs: number) {}
  next(context: IRetryBackoffContext<unknown>) {
    const innerNext = this.inner.next(context);
    const asked = 'error' in context.result && context.result.error instanceof RetryableStatus ? context.result.error.retryAfterMs : undefined;
    const duration = Math.min(this.maxDelayMs, Math.max(innerNext.duration, asked ?? 0));
    return { duration, next: (ctx: IRetryBackoffContext<unknown>) => new RetryAfterBackoff(innerNext, this.maxDelayMs).next(ctx) };
  }
}

const readBody = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Calls a platform API with a timeout per attempt, retries on network errors, 429 and 5xx (honouring
 * Retry-After), and a rate limit. Never throws: the outcome is a value the caller records.
 */
export async function callPlatform(req: PlatformRequest, opts: PlatformCallOptions = {}): Promise<PlatformResponse> {
  const maxAttempts = opts.maxAttempts ?? 4;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const isRetryable = opts.isRetryable ?? ((status: number) => status === 429 || status >= 500);
  let attempts = 0;
  const policy = retry(handleWhen((e) => e instanceof RetryableStatus || e instanceof TypeError || (e as Error).name === 'TimeoutError'), {
    maxAttempts: maxAttempts - 1,
    backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: opts.initialDelayMs ?? 200, maxDelay: maxDelayMs }), maxDelayMs),
  });
  const attempt = async () => {
    attempts += 1;
    const doFetch = () =>
      fetch(req.url, {
        method: req.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...req.headers },
        body: req.body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    const res = await (opts.limiter ? opts.limiter.schedule({ priority: opts.priority ?? 5 }, doFetch) : doFetch());
    const body = await readBody(res);
    if (res.ok) return { status: res.status, body };
    if (isRetryable(res.status, body)) throw new RetryableStatus(res.status, body, parseRetryAfter(res.headers.get('retry-after')));
    return { status: res.status, body, failed: true as const };
  };
  try {
    const r = await policy.execute(attempt);
    if ('failed' in r) return { ok: false, status: r.status, body: r.body, attempts, retryable: false, reason: `HTTP ${r.status}` };
    return { ok: true, status: r.status, body: r.body, attempts };
  } catch (e) {
    if (e instanceof RetryableStatus) return { ok: false, status: e.status, body: e.body, attempts, retryable: true, reason: `HTTP ${e.status} after ${attempts} attempts` };
    return { ok: false, attempts, retryable: true, reason: `${(e as Error).name}: ${(e as Error).message}` };
  }
}
