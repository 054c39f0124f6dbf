import { DateTime } from 'luxon';
import type { AppointmentSource, PatientDetails } from '../core/domain.js';
import { err, ok, type Result } from '../core/result.js';
import type { AppointmentStatus } from '../core/status.js';
import {
  HORIZON_DAYS, WORKING_BLOCKS, gridOf, localDays, localTime, overlaps, parseDateTime, toIso, unitHash, type Interval, type LocalDay, type LocalDays,
} from './schedule.js';
import {
  FAMILY_NAMES, GIVEN_NAMES, HELD_SHARE, SEED_APPOINTMENTS, SEED_CALENDARS, SEED_PATIENTS, type SeedCalendar,
} from './seed.js';

/** One facility's scheduling system in memory: calendars, patients, appointments and the contract's rules. */

export interface SandboxAppointment {
  appointmentId: string;
  status: AppointmentStatus;
  start: number;
  end: number;
  calendarId: string;
  appointmentTypeId: string;
  patientId?: string;
  temporaryPatientId?: string;
  patient: PatientDetails;
  queueNumber?: string;
  notes?: string;
  cancelReason?: string;
  source: AppointmentSource;
  updatedAt: number;
}

export interface PatientRecord extends PatientDetails {
  patientId?: string;
  temporaryPatientId?: string;
}

export interface ClinicError {
  status: number;
  code: string;
  message: string;
}
export type ClinicResult<T> = Result<T, ClinicError>;

export type ClinicEventType =
  | 'appointmentCreated'
  | 'appointmentRescheduled'
  | 'appointmentCanceled'
  | 'appointmentConfirmed'
  | 'patientCheckedIn'
  | 'appointmentNoShow'
  | 'patientCreated';

export interface ClinicEvent {
  type: ClinicEventType;
  occurredAt: number;
  appointment?: SandboxAppointment;
  patient?: PatientRecord;
  source?: AppointmentSource;
}

/**
 * How a command checks the requested time:
 * - `slot`: an offered slot (from tomorrow, inside the horizon, on the type's grid, free) — the patient API;
 * - `free`: any time that overlaps nothing — a desk booking;
 * - `any`: no check — a walk-in or an explicit overbooking.
 */
export type SlotPolicy = 'slot' | 'free' | 'any';

export interface Actor {
  source: AppointmentSource;
  enforceCutoff: boolean;
  slotPolicy: SlotPolicy;
}

export const BOT: Actor = { source: 'bot', enforceCutoff: true, slotPolicy: 'slot' };

export interface BookInput {
  calendarId: string;
  appointmentTypeId: string;
  start: string;
  patientId?: string;
  patient: PatientDetails;
  notes?: string;
}

export interface ClinicOptions {
  timezone: string;
  cutoffHours: number;
  seed: number;
  now: () => Date;
  onEvent: (e: ClinicEvent) => void;
  /** reschedule cancels the appointment and books a new one under a new id (default false) */
  newIdOnReschedule?: boolean;
  /** a saved state to start from instead of the seed (see `snapshot()`) */
  snapshot?: ClinicSnapshot;
}

/** Everything a clinic changes, as plain JSON (the calendars and the held cells follow from the seed). */
export interface ClinicSnapshot {
  appointments: SandboxAppointment[];
  patients: PatientRecord[];
  counters: { nextAppointment: number; nextTemporary: number; nextPermanent: number; generated: number };
}

const CLOSED: readonly AppointmentStatus[] = ['CANCELED', 'SHOW', 'NO SHOW'];
/** A patient may check in from this many hours before the start, and only on the appointment's local day. */
export const CHECK_IN_OPENS_HOURS = 3;
const STATUS_PHRASE: Partial<Record<AppointmentStatus, string>> = { CANCELED: 'was cancelled', SHOW: 'is checked in', 'NO SHOW': 'was marked no-show' };
const closedMessage = (a: SandboxAppointment, verb: string) =>
  `Appointment ${a.appointmentId} ${STATUS_PHRASE[a.status] ?? `is ${a.status}`}: it cannot be ${verb}`;
const queued = (a: SandboxAppointment) => (a.queueNumber ? ` (queue number ${a.queueNumber})` : '');
const fail = (status: number, code: string, message: string) => err<ClinicError>({ status, code, message });
const notFound = () => fail(404, 'not_found', 'No such appointment');
const normName = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

export class Clinic {
  readonly calendars: SeedCalendar[];
  private readonly appointments = new Map<string, SandboxAppointment>();
  /** every record under each of its ids (permanent and temporary) */
  private readonly patients = new Map<string, PatientRecord>();
  private nextAppointment = 50001;
  private nextTemporary = 2;
  private nextPermanent = 100005;
  private generated = 0;
  private readonly held = new Map<string, Interval[]>();
  /** appointments by calendar, then by every UTC day (epoch ms / 86 400 000) their interval touches */
  private readonly byDay = new Map<string, Map<number, Set<SandboxAppointment>>>();
  private readonly days: LocalDays;

  constructor(private readonly opts: ClinicOptions) {
    this.calendars = SEED_CALENDARS.map((c) => ({ ...c, timezone: opts.timezone, appointmentTypes: c.appointmentTypes.map((t) => ({ ...t })) }));
    this.days = localDays(opts.timezone);
    if (opts.snapshot) this.restore(opts.snapshot);
    else this.seedPatients();
  }

  snapshot(): ClinicSnapshot {
    return {
      appointments: [...this.appointments.values()],
      patients: this.records(),
      counters: { nextAppointment: this.nextAppointment, nextTemporary: this.nextTemporary, nextPermanent: this.nextPermanent, generated: this.generated },
    };
  }

  private restore(s: ClinicSnapshot): void {
    for (const p of s.patients) this.addPatient({ ...p });
    for (const a of s.appointments) {
      const copy = { ...a, patient: { ...a.patient } };
      this.appointments.set(copy.appointmentId, copy);
      this.index(copy);
    }
    ({ nextAppointment: this.nextAppointment, nextTemporary: this.nextTemporary, nextPermanent: this.nextPermanent, generated: this.generated } = s.counters);
  }

  private static bucketsOf(i: Interval): number[] {
    const out: number[] = [];
    for (let b = Math.floor(i.start / 86_400_000); b <= Math.floor((Math.max(i.end, i.start + 1) - 1) / 86_400_000); b++) out.push(b);
    return out;
  }

  private index(a: SandboxAppointment): void {
    let cal = this.byDay.get(a.calendarId);
    if (!cal) this.byDay.set(a.calendarId, (cal = new Map()));
    for (const b of Clinic.bucketsOf(a)) {
      let set = cal.get(b);
      if (!set) cal.set(b, (set = new Set()));
      set.add(a);
    }
  }

  private unindex(a: SandboxAppointment): void {
    const cal = this.byDay.get(a.calendarId);
    for (const b of Clinic.bucketsOf(a)) cal?.get(b)?.delete(a);
  }

  /** The calendar's appointments that still hold their time and overlap `[start, end)`. */
  private busy(calendarId: string, range: Interval, ignoreId?: string): SandboxAppointment[] {
    const cal = this.byDay.get(calendarId);
    if (!cal) return [];
    const out = new Set<SandboxAppointment>();
    for (const b of Clinic.bucketsOf(range)) {
      for (const a of cal.get(b) ?? []) if (a.status !== 'CANCELED' && a.appointmentId !== ignoreId && overlaps(a, range)) out.add(a);
    }
    return [...out];
  }

  get zone(): string {
    return this.opts.timezone;
  }

  private nowMs(): number {
    return this.opts.now().getTime();
  }

  private today(): LocalDay {
    return this.days.dayAt(this.nowMs());
  }

  /** Whether `day` is inside the booking window: from tomorrow to the horizon. */
  private bookable(day: LocalDay): boolean {
    const today = this.today();
    return day.start >= today.end && day.start < this.days.plus(today, HORIZON_DAYS + 1).start;
  }

  private seedPatients(): void {
    for (const p of SEED_PATIENTS) this.addPatient({ ...p });
    for (const s of SEED_APPOINTMENTS) {
      const patient = this.patients.get(s.patientKey);
      const cal = this.calendars.find((c) => c.id === s.calendarId);
      const type = cal?.appointmentTypes.find((t) => t.id === s.appointmentTypeId);
      if (!patient || !cal || !type?.durationMinutes) continue;
      let day = this.days.plus(this.today(), s.daysFromNow);
      for (let tries = 0; tries < 14; tries++, day = this.days.plus(day, 1)) {
        const slot = gridOf(day, type.durationMinutes, this.zone).find((i) => this.isFree(cal, i));
        if (!slot) continue;
        const a = this.insert(cal.id, type.id, slot, patient, 'staff');
        a.status = s.status;
        if (s.queueNumber) a.queueNumber = s.queueNumber;
        break;
      }
    }
  }

  private addPatient(p: PatientRecord): PatientRecord {
    if (p.patientId) this.patients.set(p.patientId, p);
    if (p.temporaryPatientId) this.patients.set(p.temporaryPatientId, p);
    return p;
  }

  private records(): PatientRecord[] {
    return [...new Set(this.patients.values())];
  }

  // ── reading ──────────────────────────────────────────────────────────────

  calendar(id: string): SeedCalendar | undefined {
    return this.calendars.find((c) => c.id === id);
  }

  /** A registered patient (with a permanent id) matching name (any case), date of birth and phone. */
  findPatient(q: { name: string; dob: string; phone: string }): PatientRecord | undefined {
    return this.records().find((p) => p.patientId && this.matches(p, q));
  }

  private matches(p: PatientDetails, q: { name: string; dob?: string; phone: string }): boolean {
    return normName(p.name) === normName(q.name) && p.dob === q.dob && p.phone === q.phone;
  }

  patientRecords(): PatientRecord[] {
    return this.records();
  }

  get(id: string): SandboxAppointment | undefined {
    return this.appointments.get(id);
  }

  all(): SandboxAppointment[] {
    return [...this.appointments.values()].sort((a, b) => a.start - b.start || a.appointmentId.localeCompare(b.appointmentId));
  }

  appointmentsOf(q: { patientId?: string; temporaryPatientId?: string; from?: number; to?: number }): SandboxAppointment[] {
    return this.all().filter(
      (a) =>
        ((q.patientId !== undefined && a.patientId === q.patientId) ||
          (q.temporaryPatientId !== undefined && a.temporaryPatientId === q.temporaryPatientId)) &&
        (q.from === undefined || a.start >= q.from) &&
        (q.to === undefined || a.start < q.to),
    );
  }

  /** Open slots of one calendar and type in one month (`YYYY-MM`), from tomorrow to the horizon. */
  availability(calendarId: string, appointmentTypeId: string, month: string): ClinicResult<Interval[]> {
    const cal = this.calendar(calendarId);
    if (!cal) return fail(404, 'calendar_not_found', 'No such calendar');
    const type = cal.appointmentTypes.find((t) => t.id === appointmentTypeId);
    if (!type) return fail(404, 'appointment_type_not_found', 'No such appointment type on this calendar');
    const first = /^\d{4}-\d{2}$/.test(month) ? this.days.day(`${month}-01`) : undefined;
    if (!first) return fail(400, 'invalid_request', 'month must be YYYY-MM');
    const slots: Interval[] = [];
    for (let day = first; day.date.startsWith(month); day = this.days.plus(day, 1)) {
      if (!day.open || !this.bookable(day)) continue;
      // one day's taken time, looked up once: the cells other patients hold and the appointments that day
      const taken: Interval[] = [...this.heldCells(cal, day), ...this.busy(cal.id, day)];
      for (const i of gridOf(day, type.durationMinutes ?? 30, this.zone)) if (!taken.some((t) => overlaps(t, i))) slots.push(i);
    }
    return ok(slots);
  }

  /** Cells held by the clinic's other (unlisted) patients on one local day (memoized: they never change). */
  private heldCells(cal: SeedCalendar, day: LocalDay): Interval[] {
    const key = `${cal.id}|${day.date}`;
    let cells = this.held.get(key);
    if (!cells) {
      cells = [];
      if (day.open) {
        for (const block of WORKING_BLOCKS) {
          for (let m = block.from; m + cal.holdMinutes <= block.to; m += cal.holdMinutes) {
            if (unitHash(`${this.opts.seed}|${cal.id}|${day.date}|${m}`) >= HELD_SHARE) continue;
            const start = localTime(day, m, this.zone);
            cells.push({ start, end: start + cal.holdMinutes * 60_000 });
          }
        }
      }
      if (this.held.size >= 20_000) this.held.clear();
      this.held.set(key, cells);
    }
    return cells;
  }

  private isFree(cal: SeedCalendar, slot: Interval, ignoreId?: string): boolean {
    for (let day = this.days.dayAt(slot.start); day.start < slot.end; day = this.days.plus(day, 1)) {
      if (this.heldCells(cal, day).some((h) => overlaps(h, slot))) return false;
    }
    return this.busy(cal.id, slot, ignoreId).length === 0;
  }

  private isOfferedSlot(cal: SeedCalendar, durationMinutes: number, slot: Interval, ignoreId?: string): boolean {
    const day = this.days.dayAt(slot.start);
    if (!this.bookable(day)) return false;
    if (!gridOf(day, durationMinutes, this.zone).some((i) => i.start === slot.start)) return false;
    return this.isFree(cal, slot, ignoreId);
  }

  private checkSlot(cal: SeedCalendar, durationMinutes: number, slot: Interval, policy: SlotPolicy, ignoreId?: string): ClinicResult<true> {
    const okay =
      policy === 'any' ||
      (policy === 'free' && this.isFree(cal, slot, ignoreId)) ||
      (policy === 'slot' && this.isOfferedSlot(cal, durationMinutes, slot, ignoreId));
    return okay ? ok(true) : fail(409, 'slot_unavailable', 'That time is not available');
  }

  // ── commands ─────────────────────────────────────────────────────────────

  book(input: BookInput, actor: Actor): ClinicResult<SandboxAppointment> {
    const cal = this.calendar(input.calendarId);
    if (!cal) return fail(422, 'unknown_calendar', 'No such calendar');
    const type = cal.appointmentTypes.find((t) => t.id === input.appointmentTypeId);
    if (!type) return fail(422, 'unknown_appointment_type', 'No such appointment type on this calendar');
    const start = parseDateTime(input.start, this.zone);
    if (start === undefined) return fail(400, 'invalid_request', 'start must be an ISO 8601 date-time');
    const duration = type.durationMinutes ?? 30;
    const slot = { start, end: start + duration * 60_000 };

    let patient: PatientRecord | undefined;
    if (input.patientId !== undefined) {
      patient = this.patients.get(input.patientId);
      if (!patient || patient.patientId !== input.patientId) return fail(422, 'unknown_patient', 'No patient with that patientId');
    }
    const checked = this.checkSlot(cal, duration, slot, actor.slotPolicy);
    if (!checked.ok) return checked;

    patient ??= this.findPatient({ name: input.patient.name, dob: input.patient.dob ?? '', phone: input.patient.phone });
    if (!patient && actor.source === 'bot') {
      // chat bookings of unregistered people get a temporary id (reused for the same person)
      patient =
        this.records().find((p) => !p.patientId && this.matches(p, input.patient)) ??
        this.addPatient({ ...input.patient, temporaryPatientId: `TMP-${String(this.nextTemporary++).padStart(6, '0')}` });
    }
    // the desk registers a new patient on the spot
    patient ??= this.addPatient({ ...input.patient, patientId: `P-${this.nextPermanent++}` });

    const a = this.insert(cal.id, type.id, slot, patient, actor.source, input.patient);
    if (input.notes) a.notes = input.notes;
    this.emit('appointmentCreated', a, actor.source);
    return ok(a);
  }

  private insert(calendarId: string, appointmentTypeId: string, slot: Interval, p: PatientRecord, source: AppointmentSource, contact?: PatientDetails): SandboxAppointment {
    const details = contact ?? p;
    const a: SandboxAppointment = {
      appointmentId: String(this.nextAppointment++),
      status: 'SCHEDULED',
      start: slot.start,
      end: slot.end,
      calendarId,
      appointmentTypeId,
      patient: stripUndefined({
        name: details.name, phone: details.phone, dob: details.dob ?? p.dob, email: details.email, gender: details.gender, nationalId: details.nationalId,
      }),
      source,
      updatedAt: this.nowMs(),
    };
    if (p.patientId) a.patientId = p.patientId;
    if (p.temporaryPatientId) a.temporaryPatientId = p.temporaryPatientId;
    this.appointments.set(a.appointmentId, a);
    this.index(a);
    return a;
  }

  reschedule(id: string, startRaw: string, actor: Actor): ClinicResult<SandboxAppointment> {
    const a = this.appointments.get(id);
    if (!a) return notFound();
    if (CLOSED.includes(a.status)) return fail(422, 'invalid_status', closedMessage(a, 'rescheduled'));
    if (actor.enforceCutoff && this.withinCutoff(a)) return fail(422, 'reschedule_too_close', `Rescheduling closes ${this.opts.cutoffHours} hours before the appointment`);
    const start = parseDateTime(startRaw, this.zone);
    if (start === undefined) return fail(400, 'invalid_request', 'start must be an ISO 8601 date-time');
    const cal = this.calendar(a.calendarId);
    if (!cal) return notFound();
    const slot = { start, end: start + (a.end - a.start) };
    const checked = this.checkSlot(cal, (a.end - a.start) / 60_000, slot, actor.slotPolicy, a.appointmentId);
    if (!checked.ok) return checked;
    if (this.opts.newIdOnReschedule) return ok(this.rebook(a, slot, actor));
    this.unindex(a);
    a.start = slot.start;
    a.end = slot.end;
    this.index(a);
    a.status = 'RESCHEDULED';
    this.touch(a);
    this.emit('appointmentRescheduled', a, actor.source);
    return ok(a);
  }

  /** Reschedule the way some systems do it: the old appointment is cancelled and a new one (new id) takes the new time. */
  private rebook(old: SandboxAppointment, slot: Interval, actor: Actor): SandboxAppointment {
    old.status = 'CANCELED';
    old.cancelReason = 'rescheduled';
    this.touch(old);
    const a: SandboxAppointment = {
      ...old,
      appointmentId: String(this.nextAppointment++),
      status: 'RESCHEDULED',
      start: slot.start,
      end: slot.end,
      patient: { ...old.patient },
      source: actor.source,
      updatedAt: old.updatedAt,
    };
    delete a.cancelReason;
    this.appointments.set(a.appointmentId, a);
    this.index(a);
    this.emit('appointmentRescheduled', a, actor.source);
    return a;
  }

  cancel(id: string, reason: string | undefined, actor: Actor): ClinicResult<SandboxAppointment> {
    const a = this.appointments.get(id);
    if (!a) return notFound();
    // the contract makes a patient's repeated cancel a success; the desk is told it was cancelled already
    if (a.status === 'CANCELED') return actor.source === 'bot' ? ok(a) : fail(409, 'already_canceled', `Appointment ${id} is already cancelled`);
    if (CLOSED.includes(a.status)) return fail(422, 'invalid_status', closedMessage(a, 'cancelled'));
    if (actor.enforceCutoff && this.withinCutoff(a)) return fail(422, 'cancel_too_close', `Cancelling closes ${this.opts.cutoffHours} hours before the appointment`);
    a.status = 'CANCELED';
    if (reason) a.cancelReason = reason;
    this.touch(a);
    this.emit('appointmentCanceled', a, actor.source);
    return ok(a);
  }

  confirm(id: string, actor: Actor): ClinicResult<SandboxAppointment> {
    const a = this.appointments.get(id);
    if (!a) return notFound();
    if (a.status === 'CONFIRMED') return ok(a);
    if (CLOSED.includes(a.status)) return fail(422, 'invalid_status', closedMessage(a, 'confirmed'));
    a.status = 'CONFIRMED';
    this.touch(a);
    this.emit('appointmentConfirmed', a, actor.source);
    return ok(a);
  }

  /**
   * The patient arrived. Only on the appointment's own (local) day, from CHECK_IN_OPENS_HOURS before its start;
   * once: a second check-in is refused and the first queue number stays.
   */
  checkIn(id: string, queueNumber: string | undefined, source: AppointmentSource): ClinicResult<SandboxAppointment> {
    const a = this.appointments.get(id);
    if (!a) return notFound();
    if (a.status === 'SHOW') return fail(409, 'already_checked_in', `Appointment ${id} is already checked in${queued(a)}`);
    if (a.status === 'NO SHOW') return fail(409, 'already_no_show', `Appointment ${id} was marked no-show: it cannot be checked in`);
    if (CLOSED.includes(a.status)) return fail(422, 'invalid_status', closedMessage(a, 'checked in'));
    const now = this.nowMs();
    const day = this.days.dayAt(a.start);
    const opens = Math.max(day.start, a.start - CHECK_IN_OPENS_HOURS * 3_600_000);
    if (now < opens) {
      return fail(422, 'check_in_not_open', `Check-in for appointment ${id} opens at ${this.local(opens)} (${CHECK_IN_OPENS_HOURS} hours before its start at ${this.local(a.start)}, on its day)`);
    }
    if (now >= day.end) return fail(422, 'check_in_closed', `Appointment ${id} was on ${day.date}: a patient checks in only on the appointment's day`);
    a.status = 'SHOW';
    a.queueNumber = queueNumber ?? this.nextQueueNumber(a);
    this.touch(a);
    this.emit('patientCheckedIn', a, source);
    return ok(a);
  }

  /** The patient did not come: only once the start has passed, never after a check-in, once. */
  noShow(id: string, source: AppointmentSource): ClinicResult<SandboxAppointment> {
    const a = this.appointments.get(id);
    if (!a) return notFound();
    if (a.status === 'NO SHOW') return fail(409, 'already_no_show', `Appointment ${id} is already marked no-show`);
    if (a.status === 'SHOW') return fail(409, 'already_checked_in', `Appointment ${id} is checked in${queued(a)}: it cannot be marked no-show`);
    if (CLOSED.includes(a.status)) return fail(422, 'invalid_status', closedMessage(a, 'marked no-show'));
    if (this.nowMs() < a.start) {
      return fail(422, 'no_show_too_early', `Appointment ${id} starts at ${this.local(a.start)}: it can be marked no-show only after its start`);
    }
    a.status = 'NO SHOW';
    this.touch(a);
    this.emit('appointmentNoShow', a, source);
    return ok(a);
  }

  /** `YYYY-MM-DD HH:mm` in the facility's zone, for messages */
  private local(ms: number): string {
    return toIso(ms, this.zone).slice(0, 16).replace('T', ' ');
  }

  /** The hospital registers a chat-created patient: the temporary id gets a permanent one, and its appointments follow. */
  assignPatientId(temporaryPatientId: string, wanted?: string): ClinicResult<{ patient: PatientRecord; moved: number }> {
    const p = this.patients.get(temporaryPatientId);
    if (!p || p.temporaryPatientId !== temporaryPatientId) return fail(404, 'not_found', 'No such temporary patient');
    if (p.patientId) {
      if (wanted !== undefined && wanted !== p.patientId) return fail(409, 'already_assigned', 'This temporary patient already has a permanent id');
      return ok({ patient: p, moved: 0 });
    }
    if (wanted !== undefined && this.patients.has(wanted)) return fail(409, 'patient_id_taken', 'That patientId belongs to another patient');
    p.patientId = wanted ?? `P-${this.nextPermanent++}`;
    this.patients.set(p.patientId, p);
    let moved = 0;
    for (const a of this.appointments.values()) {
      if (a.temporaryPatientId !== temporaryPatientId) continue;
      a.patientId = p.patientId;
      this.touch(a);
      moved++;
    }
    this.opts.onEvent({ type: 'patientCreated', occurredAt: this.nowMs(), patient: { ...p } });
    return ok({ patient: p, moved });
  }

  /** Many appointments on one day (registered, generated patients), overbooked as needed: for broadcast tests. */
  bulk(date: string, count: number, calendarId: string | undefined, source: AppointmentSource, notify: boolean): ClinicResult<SandboxAppointment[]> {
    const day = this.days.day(date);
    if (!day) return fail(400, 'invalid_request', 'date must be YYYY-MM-DD');
    const cals = calendarId === undefined ? this.calendars : this.calendars.filter((c) => c.id === calendarId);
    if (cals.length === 0) return fail(422, 'unknown_calendar', 'No such calendar');
    const out: SandboxAppointment[] = [];
    for (let i = 0; i < count; i++) {
      const cal = cals[i % cals.length]!;
      const type = cal.appointmentTypes[0]!;
      const duration = type.durationMinutes ?? 30;
      const grid = WORKING_BLOCKS.flatMap((b) => {
        const starts: number[] = [];
        for (let m = b.from; m + duration <= b.to; m += duration) starts.push(m);
        return starts;
      });
      const minute = grid[Math.floor(i / cals.length) % grid.length]!;
      const start = localTime(day, minute, this.zone);
      const k = this.generated++;
      const patient = this.addPatient({
        patientId: `P-${this.nextPermanent++}`,
        name: `${GIVEN_NAMES[k % GIVEN_NAMES.length]} ${FAMILY_NAMES[Math.floor(k / GIVEN_NAMES.length) % FAMILY_NAMES.length]}`,
        phone: `+63917${String(2_000_000 + k).padStart(7, '0')}`,
        dob: DateTime.fromISO('1950-01-01').plus({ days: (k * 397) % 25_000 }).toISODate() ?? '1980-01-01',
      });
      const a = this.insert(cal.id, type.id, { start, end: start + duration * 60_000 }, patient, source);
      if (notify) this.emit('appointmentCreated', a, source);
      out.push(a);
    }
    return ok(out);
  }

  private withinCutoff(a: SandboxAppointment): boolean {
    return a.start - this.nowMs() < this.opts.cutoffHours * 3_600_000;
  }

  private nextQueueNumber(a: SandboxAppointment): string {
    const day = this.days.dayAt(a.start);
    const shown = [...this.appointments.values()].filter(
      (b) => b.calendarId === a.calendarId && b.status === 'SHOW' && b.appointmentId !== a.appointmentId && b.start >= day.start && b.start < day.end,
    ).length;
    return String(shown + 1);
  }

  private touch(a: SandboxAppointment): void {
    a.updatedAt = Math.max(this.nowMs(), a.updatedAt + 1);
  }

  private emit(type: ClinicEventType, a: SandboxAppointment, source: AppointmentSource): void {
    this.opts.onEvent({ type, occurredAt: a.updatedAt, appointment: { ...a, patient: { ...a.patient } }, source });
  }

  // ── contract views ───────────────────────────────────────────────────────

  toContract(a: SandboxAppointment): Record<string, unknown> {
    return stripUndefined({
      appointmentId: a.appointmentId,
      status: a.status,
      start: toIso(a.start, this.zone),
      end: toIso(a.end, this.zone),
      calendarId: a.calendarId,
      appointmentTypeId: a.appointmentTypeId,
      patientId: a.patientId,
      temporaryPatientId: a.temporaryPatientId,
      patient: stripUndefined({ ...a.patient }),
      queueNumber: a.queueNumber,
      updatedAt: toIso(a.updatedAt, this.zone),
    });
  }

  patientView(p: PatientRecord): Record<string, unknown> {
    return stripUndefined({
      patientId: p.patientId, temporaryPatientId: p.temporaryPatientId, name: p.name, email: p.email, phone: p.phone, dob: p.dob,
      gender: p.gender, nationalId: p.nationalId,
    });
  }
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
