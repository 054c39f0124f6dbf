import { ExponentialBackoff, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import { RetryableAnswer } from './failures.js';

export interface BackoffOptions {
  /** first delay of the exponential backoff (default 200 ms) */
  initialDelayMs?: number;
  /** the exponential backoff's ceiling (default 30 s) */
  maxDelayMs?: number;
  /** the longest Retry-After waited for as asked; a longer one is waited for this long (default: no ceiling) */
  maxRetryAfterMs?: number;
}

type Factory = IBackoffFactory<IRetryBackoffContext<unknown>>;

/** Exponential backoff (decorrelated jitter) that waits at least what the server asked for in Retry-After. */
class RetryAfterBackoff implements Factory {
  constructor(
    private readonly inner: Factory,
    private readonly maxRetryAfterMs: number,
  ) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const innerNext = this.inner.next(context);
    const asked = 'error' in context.result && context.result.error instanceof RetryableAnswer ? context.result.error.retryAfterMs : undefined;
    const duration = asked === undefined ? innerNext.duration : Math.max(innerNext.duration, Math.min(asked, this.maxRetryAfterMs));
    return { duration, next: (ctx) => new RetryAfterBackoff(innerNext, this.maxRetryAfterMs).next(ctx) };
  }
}

export function retryAfterBackoff(opts: BackoffOptions = {}): Factory {
  const exponential = new ExponentialBackoff({ initialDelay: opts.initialDelayMs ?? 200, maxDelay: opts.maxDelayMs ?? 30_000 });
  return new RetryAfterBackoff(exponential as Factory, opts.maxRetryAfterMs ?? Number.POSITIVE_INFINITY);
}
