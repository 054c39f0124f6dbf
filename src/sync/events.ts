import { z } from 'zod';
import { compact } from '../core/compact.js';
import { parseStatus, type AppointmentStatus } from '../core/status.js';
import type { AppointmentSource, ProviderAppointment } from '../core/domain.js';

/** Provider webhook types (contract §4). */
export const PROVIDER_EVENT_TYPES = [
  'appointmentCreated',
  'appointmentRescheduled',
  'appointmentCanceled',
  'appointmentConfirmed',
  'patientCheckedIn',
  'appointmentNoShow',
  'patientCreated',
] as const;
export type ProviderEventType = (typeof PROVIDER_EVENT_TYPES)[number];

const id = z.union([z.string().min(1), z.number()]).transform(String);
const isoWithOffset = z.iso.datetime({ offset: true });
const status = z.string().transform((s, ctx): AppointmentStatus => {
  const parsed = parseStatus(s);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `unknown status "${s}"` });
    return z.NEVER;
  }
  return parsed;
});

const patient = z.object({
  name: z.string().min(1),
  phone: z.string().min(3),
  email: z.string().optional().nullable(),
  dob: z.string().optional().nullable(),
  gender: z.string().optional().nullable(),
  nationalId: z.string().optional().nullable(),
});

/**
 * Reads one provider date-time into ISO with the facility's offset; undefined when it is not one. The
 * provider client reads its API's answers with the same reader (src/provider/parse.ts `toZonedIso`), so a
 * time the API may send without an offset (contract §1: then the facility's wall clock) is read alike here.
 */
export type ZonedTime = (raw: string) => string | undefined;

function schemasFor(zoned: ZonedTime | undefined) {
  const time = zoned
    ? z.string().transform((s, ctx): string => {
        const v = zoned(s);
        if (v === undefined) {
          ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 date-time' });
          return z.NEVER;
        }
        return v;
      })
    : isoWithOffset;
  const appointment = z.object({
    appointmentId: id,
    status,
    start: time,
    end: time.optional().nullable(),
    calendarId: id,
    appointmentTypeId: id,
    patientId: id.optional().nullable(),
    temporaryPatientId: id.optional().nullable(),
    patient,
    queueNumber: id.optional().nullable(),
    updatedAt: z.string().optional().nullable(),
  });
  const envelope = z.object({
    type: z.string().min(1),
    occurredAt: time,
    data: z.object({
      appointment: appointment.optional(),
      patient: z.object({ patientId: id, temporaryPatientId: id.optional().nullable() }).passthrough().optional(),
      source: z.enum(['staff', 'bot', 'walk-in']).optional(),
    }),
  });
  return { appointment, envelope };
}

const strict = schemasFor(undefined);
export const appointmentSchema = strict.appointment;
const tolerant = new WeakMap<ZonedTime, ReturnType<typeof schemasFor>>();

export type ProviderEvent =
  | { type: Exclude<ProviderEventType, 'patientCreated'>; occurredAt: string; appointment: ProviderAppointment; source?: AppointmentSource }
  | { type: 'patientCreated'; occurredAt: string; patientId: string; temporaryPatientId?: string }
  | { type: 'unknown'; rawType: string; occurredAt: string };

const clean = <T extends object>(o: T): T => compact(o, { nulls: true });

/** Validates a webhook body; the issues list says what is wrong (path: reason). */
export function parseProviderEvent(body: unknown, opts: { zonedTime?: ZonedTime } = {}): { ok: true; event: ProviderEvent } | { ok: false; issues: string[] } {
  let schemas = strict;
  if (opts.zonedTime) {
    schemas = tolerant.get(opts.zonedTime) ?? schemasFor(opts.zonedTime);
    tolerant.set(opts.zonedTime, schemas);
  }
  const r = schemas.envelope.safeParse(body);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
  const { type, occurredAt, data } = r.data;
  if (!(PROVIDER_EVENT_TYPES as readonly string[]).includes(type)) return { ok: true, event: { type: 'unknown', rawType: type, occurredAt } };
  if (type === 'patientCreated') {
    if (!data.patient) return { ok: false, issues: ['data.patient: required for patientCreated'] };
    const tmp = data.patient.temporaryPatientId ?? undefined;
    return { ok: true, event: { type, occurredAt, patientId: data.patient.patientId, ...(tmp ? { temporaryPatientId: tmp } : {}) } };
  }
  if (!data.appointment) return { ok: false, issues: [`data.appointment: required for ${type}`] };
  const a = data.appointment;
  const appointment = clean({ ...a, patient: clean({ ...a.patient }) }) as unknown as ProviderAppointment;
  return { ok: true, event: { type: type as Exclude<ProviderEventType, 'patientCreated'>, occurredAt, appointment, ...(data.source ? { source: data.source } : {}) } };
}
