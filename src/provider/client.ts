import type { Calendar } from '../core/domain.js';
import type { ProviderClient, ProviderError, ProviderResult } from '../core/provider.js';
import { err, ok } from '../core/result.js';
import type { Logger } from '../log.js';
import { readAppointment, readAppointments, readAvailability, readCalendarsBody, readError, readPatient, type ZoneOf } from './parse.js';
import { requests, type Operation, type OperationRequest } from './requests.js';
import { createTransport, type Transport, type TransportOptions, type TransportOutcome } from './transport.js';

export interface ProviderClientOptions {
  facilityId: string;
  /** `https://host/api/v1` or `https://host/v1` (a trailing slash is fine) */
  baseUrl: string;
  userId: string;
  apiKey: string;
  /** the facility's IANA zone: offset-less times are read in it when the calendar has none */
  timezone: string;
  /** budget of one call, retries included (default 8000) */
  timeoutMs?: number;
  /** type given to a calendar the provider lists without any */
  defaultAppointmentType?: { id: string; name: string; durationMinutes?: number };
  /** maxAttempts counts the first attempt too (default 3); delays default 200 ms doubling up to 2000 ms */
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  /** opens after this many consecutive failed attempts (default 5); half-opens after (default 30 s) */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** a response body past this many bytes is dropped unread and the call answers `invalid` / `response_too_large` (default 2 MiB) */
  maxResponseBytes?: number;
  logger?: Logger;
}

const TOO_CLOSE_CODES = new Set(['reschedule_too_close', 'cancel_too_close', 'too_close']);

/** Maps a provider refusal to its typed error (contract §1). */
export function errorFor(op: Operation, status: number, body: unknown): ProviderError {
  const { code, message } = readError(body);
  const base = { status, ...(code ? { code } : {}) };
  const msg = (fallback: string) => message ?? fallback;
  if (op === 'confirm' && (status === 404 || status === 405)) {
    return { kind: 'unsupported', message: 'provider has no confirm endpoint', ...base };
  }
  if (status === 401 || status === 403) return { kind: 'unauthorized', message: msg('provider refused the credentials'), ...base };
  if (status === 404) return { kind: 'not_found', message: msg('not found at the provider'), ...base };
  if (status === 409) return { kind: 'slot_unavailable', message: msg('slot is no longer available'), ...base };
  if (status === 422 && code && TOO_CLOSE_CODES.has(code)) return { kind: 'too_close', message: msg('too close to the appointment'), ...base };
  return { kind: 'invalid', message: msg(`provider answered ${status}`), ...base };
}

const unavailable = (o: Extract<TransportOutcome, { kind: 'unavailable' }>): ProviderError => ({
  kind: 'unavailable',
  message: o.message,
  code: o.reason,
  ...(o.status !== undefined ? { status: o.status } : {}),
});

const unreadable = (op: Operation, status: number): ProviderError => ({
  kind: 'invalid',
  message: `unreadable ${op} response from the provider`,
  status,
  code: 'unreadable_response',
});

/** `status` is the provider's: a 2xx means the call may have done its work (a write is then checked, not assumed undone). */
const tooLarge = (op: Operation, status: number, limitBytes: number): ProviderError => ({
  kind: 'invalid',
  message: `${op} response from the provider is larger than ${limitBytes} bytes; not read`,
  status,
  code: 'response_too_large',
});

export function createProviderClient(opts: ProviderClientOptions): ProviderClient {
  const transport = createTransport(transportOptions(opts));

  // Calendars' own zones, learnt from the last listCalendars, for their offset-less times.
  const calendarZones = new Map<string, string>();
  const zoneOf: ZoneOf = (calendarId) => (calendarId ? calendarZones.get(calendarId) : undefined) ?? opts.timezone;
  const readOne = (b: unknown) => readAppointment(b, zoneOf);

  return {
    async listCalendars() {
      const result = await call(transport, requests.listCalendars(), (body) => readCalendarsBody(body, opts.defaultAppointmentType));
      if (result.ok) rememberZones(calendarZones, result.value);
      return result;
    },

    findPatient(q) {
      return call(
        transport,
        requests.findPatient(q),
        (body) => readPatient(body)?.found,
        (status) => (status === 404 ? ok(null) : undefined),
      );
    },

    availability(q) {
      return call(transport, requests.availability(q), (body) => readAvailability(body, zoneOf(q.calendarId)));
    },

    createAppointment(input, idempotencyKey) {
      return call(transport, requests.createAppointment(input, idempotencyKey), readOne);
    },

    listAppointments(q) {
      return call(transport, requests.listAppointments(q), (body) => readAppointments(body, zoneOf));
    },

    reschedule(appointmentId, start, idempotencyKey) {
      return call(transport, requests.reschedule(appointmentId, start, idempotencyKey), readOne);
    },

    cancel(appointmentId, reason, idempotencyKey) {
      return call(transport, requests.cancel(appointmentId, reason, idempotencyKey), readOne);
    },

    confirm(appointmentId, idempotencyKey) {
      return call(transport, requests.confirm(appointmentId, idempotencyKey), readOne);
    },
  };
}

/** The client's options with their defaults, as the transport takes them. */
function transportOptions(opts: ProviderClientOptions): TransportOptions {
  return {
    facilityId: opts.facilityId,
    baseUrl: opts.baseUrl,
    userId: opts.userId,
    apiKey: opts.apiKey,
    timeoutMs: opts.timeoutMs ?? 8000,
    maxAttempts: opts.retry?.maxAttempts ?? 3,
    initialDelayMs: opts.retry?.initialDelayMs ?? 200,
    maxDelayMs: opts.retry?.maxDelayMs ?? 2000,
    consecutiveFailures: opts.breaker?.consecutiveFailures ?? 5,
    halfOpenAfterMs: opts.breaker?.halfOpenAfterMs ?? 30_000,
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
}

/** Sends, then reads a 2xx body with `read`; refusals and failures become typed errors. */
async function call<T>(
  transport: Transport,
  req: OperationRequest,
  read: (body: unknown, status: number) => T | undefined,
  onRefusal?: (status: number) => ProviderResult<T> | undefined,
): Promise<ProviderResult<T>> {
  try {
    const outcome = await transport.send(req);
    if (outcome.kind === 'unavailable') return err(unavailable(outcome));
    if (outcome.kind === 'too_large') return err(tooLarge(req.operation, outcome.status, outcome.limitBytes));
    if (outcome.status < 200 || outcome.status >= 300) {
      return onRefusal?.(outcome.status) ?? err(errorFor(req.operation, outcome.status, outcome.body));
    }
    const value = read(outcome.body, outcome.status);
    return value === undefined ? err(unreadable(req.operation, outcome.status)) : ok(value);
  } catch (e) {
    // never throws: a bug in reading is still an answer
    return err({ kind: 'invalid', message: `provider client failed: ${e instanceof Error ? e.message : String(e)}` });
  }
}

function rememberZones(zones: Map<string, string>, calendars: Calendar[]): void {
  for (const c of calendars) if (c.timezone) zones.set(c.id, c.timezone);
}
