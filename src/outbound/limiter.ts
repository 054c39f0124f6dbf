import Bottleneck from 'bottleneck';

/** What the client needs of a rate limiter: a Bottleneck, or anything that schedules a job. */
export interface Limiter {
  schedule<T>(fn: () => Promise<T>): Promise<T>;
}

/** Runs one attempt through the limiter; a Bottleneck gets the priority too (0 first … 9 last, default 5). */
export function throughLimiter<T>(limiter: Limiter | undefined, priority: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (!limiter) return fn();
  if (limiter instanceof Bottleneck) return limiter.schedule({ priority: priority ?? 5 }, fn);
  return limiter.schedule(fn);
}
