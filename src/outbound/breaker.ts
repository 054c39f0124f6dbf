import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { isFailure } from './failures.js';

/** One breaker per upstream (a facility's provider, a platform): shared by every call to it. */
export type Breaker = CircuitBreakerPolicy;
export { CircuitState };

export interface BreakerOptions {
  /** opens after this many consecutive failed attempts (a retryable answer, a timeout, a network error) */
  consecutiveFailures: number;
  /** lets one trial call through after this long; its outcome closes or reopens the circuit */
  halfOpenAfterMs: number;
  onBreak?: () => void;
  onHalfOpen?: () => void;
  onReset?: () => void;
}

/** A consecutive-failures breaker. A refusal the classifier calls final (4xx), or a body past the cap, is no failure. */
export function createBreaker(opts: BreakerOptions): Breaker {
  const breaker = circuitBreaker(handleWhen(isFailure), {
    halfOpenAfter: opts.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(opts.consecutiveFailures),
  });
  if (opts.onBreak) breaker.onBreak(opts.onBreak);
  if (opts.onHalfOpen) breaker.onHalfOpen(opts.onHalfOpen);
  if (opts.onReset) breaker.onReset(opts.onReset);
  return breaker;
}
