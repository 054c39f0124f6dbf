import { DateTime } from 'luxon';
import { compact } from '../core/compact.js';
import { z } from 'zod';
import type { AppointmentType, Calendar, ProviderAppointment, ProviderPatient, Slot } from '../core/domain.js';
import { parseStatus } from '../core/status.js';

/**
 * Tolerant readers of the provider's bodies (contract §1): the documented shape first, then the
 * variants real providers drift into. Each returns undefined for a body it cannot read.
 */

/** Ids are strings, even when a provider sends numbers. */
const id = z.union([z.string().min(1), z.number()]).transform((v) => String(v));
const optionalId = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));
const optionalText = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v === null || v === undefined ? undefined : String(v)));
const optionalNumber = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

const hasOffset = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * An ISO date-time as the provider sent it, re-expressed in `zone` with its offset.
 * Without an offset it is read as wall-clock time in `zone` (contract §1).
 */
export function toZonedIso(raw: string, zone: string): string | undefined {
  const text = raw.trim();
  const dt = hasOffset.test(text) ? DateTime.fromISO(text, { setZone: true }) : DateTime.fromISO(text, { zone });
  if (!dt.isValid) return undefined;
  return dt.setZone(zone).toISO({ suppressMilliseconds: true }) ?? undefined;
}

const zoneName = z
  .string()
  .optional()
  .nullable()
  .transform((v) => (v && DateTime.local().setZone(v).isValid ? v : undefined));

// ---- calendars ----

const appointmentTypeSchema = z.object({ id, name: optionalText, durationMinutes: optionalNumber });

const calendarSchema = z.object({
  id,
  name: optionalText,
  timezone: zoneName,
  appointmentTypes: z.array(appointmentTypeSchema).nullable().optional(),
});

const calendarsBody = z.union([z.object({ calendars: z.array(calendarSchema) }), z.array(calendarSchema).transform((calendars) => ({ calendars }))]);

export function readCalendarsBody(body: unknown, defaultType: AppointmentType | undefined): Calendar[] | undefined {
  const parsed = calendarsBody.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.calendars.map((c) => {
    const types: AppointmentType[] = (c.appointmentTypes ?? []).map((t) => ({
      id: t.id,
      name: t.name ?? t.id,
      ...(t.durationMinutes !== undefined ? { durationMinutes: t.durationMinutes } : {}),
    }));
    if (types.length === 0 && defaultType) types.push({ ...defaultType });
    return { id: c.id, name: c.name ?? c.id, ...(c.timezone ? { timezone: c.timezone } : {}), appointmentTypes: types };
  });
}

// ---- patient ----

const patientSchema = z.object({
  patientId: id,
  name: optionalText,
  email: optionalText,
  phone: optionalText,
  dob: optionalText,
  nationalId: optionalText,
});

/** `null`, `{}`, `[]` (and a 200 without a patientId) mean "no such patient". */
export function readPatient(body: unknown): { found: ProviderPatient | null } | undefined {
  if (body === null || body === undefined) return { found: null };
  const candidate = Array.isArray(body) ? (body.length === 0 ? null : body.length === 1 ? body[0] : undefined) : body;
  if (candidate === null) return { found: null };
  if (candidate === undefined || typeof candidate !== 'object') return undefined;
  if (Object.keys(candidate).length === 0) return { found: null };
  const wrapped = 'patient' in candidate && typeof candidate.patient === 'object' ? candidate.patient : candidate;
  if (wrapped === null) return { found: null };
  const parsed = patientSchema.safeParse(wrapped);
  if (!parsed.success) return undefined;
  return { found: compact(parsed.data) };
}

// ---- availability ----

const slotsBody = z.object({
  timezone: zoneName,
  slots: z.array(z.object({ start: z.string(), end: z.string().nullable().optional() })),
});

const groupedBody = z.object({
  timezone: zoneName,
  dates: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      times: z.array(z.union([z.string(), z.object({ start: z.string(), end: z.string().nullable().optional() })])),
    }),
  ),
});

const hhmm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Slots in either the `{slots}` form or the grouped `{dates:[{date,times}]}` form, sorted by start. */
export function readAvailability(body: unknown, zone: string): Slot[] | undefined {
  const source = Array.isArray(body) ? { slots: body } : body;
  const slots: Slot[] = [];
  const asSlots = slotsBody.safeParse(source);
  if (asSlots.success) {
    const z2 = asSlots.data.timezone ?? zone;
    const zoned = zonedReader(z2);
    for (const s of asSlots.data.slots) {
      const start = zoned(s.start);
      const end = s.end ? zoned(s.end) : undefined;
      if (!start || (s.end && !end)) return undefined;
      slots.push(end ? { start, end } : { start });
    }
  } else {
    const grouped = groupedBody.safeParse(source);
    if (!grouped.success) return undefined;
    const z2 = grouped.data.timezone ?? zone;
    for (const day of grouped.data.dates) {
      for (const t of day.times) {
        const rawStart = typeof t === 'string' ? t : t.start;
        const start = hhmm.test(rawStart.trim()) ? wallClock(day.date, rawStart.trim(), z2) : toZonedIso(rawStart, z2);
        if (!start) return undefined;
        const end = typeof t === 'object' && t.end ? (hhmm.test(t.end.trim()) ? wallClock(day.date, t.end.trim(), z2) : toZonedIso(t.end, z2)) : undefined;
        slots.push(end ? { start, end } : { start });
      }
    }
  }
  // sorted on parsed instants, each parsed once (a month may hold hundreds of thousands of slots)
  return slots
    .map((s) => [Date.parse(s.start), s] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, s]) => s);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, mo: number) => (mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[mo - 1]!);
const plainIso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

/**
 * toZonedIso for many values in one zone: a value already written `YYYY-MM-DDTHH:mm:ss±HH:MM` in the zone's
 * own offset comes back as it is (what toZonedIso would give), with the zone's offset looked up once per
 * quarter hour; anything else goes through toZonedIso (luxon: some 100 µs a value, too slow for 300k).
 */
/** a zone's offset per quarter hour, kept for the process (tz data does not change under it); bounded */
const zoneOffsets = new Map<string, Map<number, number>>();
const BUCKETS_KEPT = 200_000;
function offsetsOf(zone: string): Map<number, number> {
  let m = zoneOffsets.get(zone);
  if (!m || m.size > BUCKETS_KEPT) zoneOffsets.set(zone, (m = new Map()));
  return m;
}

function zonedReader(zone: string): (raw: string) => string | undefined {
  const offsets = offsetsOf(zone);
  return (raw) => {
    const text = raw.trim();
    const m = plainIso.exec(text);
    if (m) {
      const [y, mo, d, h, mi, sec, oh, om] = [m[1], m[2], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number) as [number, number, number, number, number, number, number, number];
      const written = (m[7] === '-' ? -1 : 1) * (oh * 60 + om);
      // a real wall-clock time (no Feb 30, no 24:00); a zero offset is left to luxon, which may write it "Z"
      const real = mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h <= 23 && mi <= 59 && sec <= 59;
      if (real && written !== 0) {
        const ms = Date.UTC(y, mo - 1, d, h, mi, sec) - written * 60_000;
        const bucket = Math.floor(ms / 900_000);
        let offset = offsets.get(bucket);
        if (offset === undefined) offsets.set(bucket, (offset = DateTime.fromMillis(bucket * 900_000, { zone }).offset));
        if (offset === written) return text;
      }
    }
    return toZonedIso(text, zone);
  };
}

function wallClock(date: string, time: string, zone: string): string | undefined {
  const m = hhmm.exec(time);
  if (!m) return undefined;
  const dt = DateTime.fromISO(date, { zone }).set({ hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) });
  return dt.isValid ? (dt.toISO({ suppressMilliseconds: true }) ?? undefined) : undefined;
}

// ---- appointments ----

const appointmentPatient = z
  .object({
    name: optionalText,
    phone: optionalText,
    email: optionalText,
    dob: optionalText,
    gender: optionalText,
    nationalId: optionalText,
  })
  .nullable()
  .optional();

const appointmentSchema = z.object({
  appointmentId: optionalId,
  id: optionalId,
  status: z.string(),
  start: z.string(),
  end: z.string().nullable().optional(),
  calendarId: id,
  appointmentTypeId: id,
  patientId: optionalId,
  temporaryPatientId: optionalId,
  patient: appointmentPatient,
  queueNumber: optionalText,
  updatedAt: z.string().nullable().optional(),
});

type RawAppointment = z.infer<typeof appointmentSchema>;

/** Which zone a calendar's offset-less times are in. */
export type ZoneOf = (calendarId: string | undefined) => string;

function normalizeAppointment(a: RawAppointment, zoneOf: ZoneOf): ProviderAppointment | undefined {
  const appointmentId = a.appointmentId ?? a.id;
  const status = parseStatus(a.status);
  const zone = zoneOf(a.calendarId);
  const start = toZonedIso(a.start, zone);
  const end = a.end ? toZonedIso(a.end, zone) : undefined;
  const updatedAt = a.updatedAt ? toZonedIso(a.updatedAt, zone) : undefined;
  if (!appointmentId || !status || !start || (a.end && !end) || (a.updatedAt && !updatedAt)) return undefined;
  const p = a.patient ?? undefined;
  return compact({
    appointmentId,
    status,
    start,
    end,
    calendarId: a.calendarId,
    appointmentTypeId: a.appointmentTypeId,
    patientId: a.patientId,
    temporaryPatientId: a.temporaryPatientId,
    patient: compact({ name: p?.name ?? '', phone: p?.phone ?? '', email: p?.email, dob: p?.dob, gender: p?.gender, nationalId: p?.nationalId }),
    queueNumber: a.queueNumber,
    updatedAt,
  });
}

/** One appointment: the object itself, or wrapped as `{appointment}`. */
export function readAppointment(body: unknown, zoneOf: ZoneOf): ProviderAppointment | undefined {
  const inner = body && typeof body === 'object' && !Array.isArray(body) && 'appointment' in body ? body.appointment : body;
  const parsed = appointmentSchema.safeParse(inner);
  return parsed.success ? normalizeAppointment(parsed.data, zoneOf) : undefined;
}

const appointmentsBody = z.union([z.object({ appointments: z.array(z.unknown()) }), z.array(z.unknown()).transform((appointments) => ({ appointments }))]);

/** `{appointments:[…]}` or a bare array; one unreadable item makes the whole list unreadable. */
export function readAppointments(body: unknown, zoneOf: ZoneOf): ProviderAppointment[] | undefined {
  const parsed = appointmentsBody.safeParse(body);
  if (!parsed.success) return undefined;
  const out: ProviderAppointment[] = [];
  for (const item of parsed.data.appointments) {
    const a = readAppointment(item, zoneOf);
    if (!a) return undefined;
    out.push(a);
  }
  return out;
}

// ---- errors ----

const errorBody = z.object({ error: z.string().optional(), code: z.string().optional(), message: z.string().optional() });

/** `{"error": "<code>", "message": "..."}` (some providers say `code`). */
export function readError(body: unknown): { code?: string; message?: string } {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return {};
  return compact({ code: parsed.data.error ?? parsed.data.code, message: parsed.data.message });
}

