import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';

/** An answer the caller's classifier called worth another attempt (429, 5xx…): thrown so retry and breaker see it. */
export class RetryableAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly text: string,
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
    this.name = 'RetryableAnswer';
  }
}

/** The call's budget ran out before this attempt left (it waited in the limiter or a backoff): nothing was sent. */
export class NotSent extends Error {
  constructor() {
    super('the call ran out of time before this attempt was sent');
    this.name = 'NotSent';
  }
}

/** fetch's own abort (AbortError / TimeoutError) or a cockatiel timeout */
export const isTimeout = (e: unknown): boolean =>
  e instanceof TaskCancelledError || e instanceof NotSent || (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError'));

/** The socket error's code (ECONNREFUSED, ECONNRESET, ENOTFOUND…): fetch reports it as TypeError('fetch failed') with a cause. */
export function errorCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Network-level failures: fetch's TypeError (connection refused, reset, body cut short) or a socket error. */
export const isNetworkError = (e: unknown): boolean =>
  !(e instanceof BrokenCircuitError) && (e instanceof TypeError || (e instanceof Error && typeof (e as { code?: unknown }).code === 'string'));

/** Nothing reached the server: the connection was never made (refused, or the name did not resolve). */
export const neverConnected = (e: unknown): boolean => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(errorCode(e) ?? '');

/** What says "the other side is not answering properly": these count for a breaker. */
export const isFailure = (e: unknown): boolean => e instanceof RetryableAnswer || (!(e instanceof NotSent) && (isTimeout(e) || isNetworkError(e)));

export const describe = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const code = errorCode((e as { cause?: unknown }).cause);
  return code ? `${e.message} (${code})` : e.message;
};
