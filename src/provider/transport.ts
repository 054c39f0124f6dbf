import { call, createBreaker, type OutboundOutcome } from '../outbound/index.js';
import type { Logger } from '../log.js';

/**
 * The HTTP half of the provider client: one request through the shared outbound client (src/outbound) with
 * this facility's breaker, a budget for the whole call (retries and backoff included), and retries only for
 * calls the provider can recognise when repeated. Answers every call with a value: either the provider's
 * response (any status the retry policy did not swallow) or why none came.
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

/** Joins a base URL that may or may not end with '/' and a path that starts with '/'. */
export function joinUrl(baseUrl: string, path: string, query?: Record<string, string | undefined>): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''));
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.toString();
}

export interface Transport {
  send(req: ProviderRequest): Promise<TransportOutcome>;
}

export function createTransport(opts: TransportOptions): Transport {
  const authorization = 'Basic ' + Buffer.from(`${opts.userId}:${opts.apiKey}`).toString('base64');
  const log = opts.logger?.child({ component: 'provider-client', facilityId: opts.facilityId });
  const breaker = createBreaker({
    consecutiveFailures: opts.consecutiveFailures,
    halfOpenAfterMs: opts.halfOpenAfterMs,
    onBreak: () => log?.warn('provider circuit opened'),
    onReset: () => log?.info('provider circuit closed'),
  });

  return {
    async send(req) {
      const headers: Record<string, string> = { authorization, accept: 'application/json' };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;
      const outcome = await call(
        { url: joinUrl(opts.baseUrl, req.path, req.query), method: req.method, headers, ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}) },
        {
          attempts: opts.maxAttempts,
          deadlineMs: opts.timeoutMs,
          // POST/PUT are retried only when the provider can recognise the repeat by its key (contract §1.4)
          idempotent: req.method === 'GET' || !!req.idempotencyKey,
          backoff: { initialDelayMs: opts.initialDelayMs, maxDelayMs: opts.maxDelayMs },
          breaker,
          maxResponseBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        },
      );
      const result = toTransportOutcome(outcome);
      if (result.kind === 'response' && result.status >= 400) log?.info({ operation: req.operation, status: result.status, attempts: result.attempts }, 'provider refused');
      if (result.kind === 'too_large') log?.warn({ operation: req.operation, status: result.status, limitBytes: result.limitBytes, attempts: result.attempts }, 'provider response too large; not read');
      if (result.kind === 'unavailable') log?.warn({ operation: req.operation, reason: result.reason, status: result.status, attempts: result.attempts }, 'provider unavailable');
      return result;
    },
  };
}

function toTransportOutcome(o: OutboundOutcome): TransportOutcome {
  const { attempts } = o;
  switch (o.kind) {
    case 'answer':
      return { kind: 'response', status: o.status, body: o.body, rawText: o.text, attempts };
    case 'too_large':
      return { kind: 'too_large', status: o.status, limitBytes: o.limitBytes, attempts };
    case 'gave_up':
      return { kind: 'unavailable', reason: 'server_error', status: o.status, message: `provider answered ${o.status}`, attempts };
    case 'circuit_open':
      return { kind: 'unavailable', reason: 'circuit_open', message: 'provider circuit is open', attempts };
    case 'timeout':
      return { kind: 'unavailable', reason: 'timeout', message: 'provider did not answer in time', attempts };
    case 'network':
    case 'error':
      return { kind: 'unavailable', reason: 'network', message: `provider unreachable: ${o.message}`, attempts };
  }
}
