import { DateTime } from 'luxon';
import type { Appointment, Calendar, CreateAppointmentInput, PatientQuery, ProviderAppointment, ProviderClient, ProviderError, ProviderPatient, ProviderResult, Slot } from '../../src/core/index.js';
import { err, ok } from '../../src/core/index.js';
import type { FlowContact } from '../../flows/protocol.js';

type Method = 'findPatient' | 'availability' | 'createAppointment' | 'reschedule' | 'cancel' | 'confirm' | 'listAppointments' | 'listCalendars';

/**
 * An in-memory provider with the contract's semantics: idempotency keys, 409 on a taken slot,
 * 422 too_close inside the cutoff, cancel of a cancelled appointment succeeds, optional confirm endpoint.
 * Failures can be queued per method.
 */
export class FakeProvider implements ProviderClient {
  readonly appointments = new Map<string, ProviderAppointment>();
  readonly patients: ProviderPatient[] = [];
  readonly calls: { method: Method; args: unknown[] }[] = [];
  private readonly keys = new Map<string, ProviderAppointment>();
  private readonly failures = new Map<Method, ProviderError[]>();
  private seq = 0;

  constructor(
    readonly calendars: Calendar[],
    private readonly opts: { timezone: string; hours?: number[]; days?: number; from: string; confirmSupported?: boolean },
  ) {}

  failNext(method: Method, error: Partial<ProviderError> & { kind: ProviderError['kind'] }, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ message: error.kind, ...error });
    this.failures.set(method, list);
  }

  private failure(method: Method, args: unknown[]): ProviderError | undefined {
    this.calls.push({ method, args });
    return this.failures.get(method)?.shift();
  }

  /** Every weekday from `from`, at the given hours, for `days` days, minus taken slots. */
  allSlots(calendarId: string): Slot[] {
    const start = DateTime.fromISO(this.opts.from, { zone: this.opts.timezone }).startOf('day');
    const out: Slot[] = [];
    for (let d = 0; d < (this.opts.days ?? 60); d++) {
      const day = start.plus({ days: d });
      if (day.weekday > 5) continue;
      for (const h of this.opts.hours ?? [9, 10, 11, 14]) {
        const s = day.set({ hour: h, minute: 0 });
        const iso = s.toISO({ suppressMilliseconds: true })!;
        const taken = [...this.appointments.values()].some((a) => a.calendarId === calendarId && a.status !== 'CANCELED' && Date.parse(a.start) === Date.parse(iso));
        if (!taken) out.push({ start: iso, end: s.plus({ minutes: 30 }).toISO({ suppressMilliseconds: true })! });
      }
    }
    return out;
  }

  async listCalendars(): Promise<ProviderResult<Calendar[]>> {
    const f = this.failure('listCalendars', []);
    return f ? err(f) : ok(this.calendars);
  }

  async findPatient(q: PatientQuery): Promise<ProviderResult<ProviderPatient | null>> {
    const f = this.failure('findPatient', [q]);
    if (f) return err(f);
    return ok(this.patients.find((p) => p.name?.toLowerCase() === q.name.toLowerCase() && p.dob === q.dob && p.phone === q.phone) ?? null);
  }

  async availability(q: { month: string; calendarId: string; appointmentTypeId: string }): Promise<ProviderResult<Slot[]>> {
    const f = this.failure('availability', [q]);
    if (f) return err(f);
    return ok(this.allSlots(q.calendarId).filter((s) => s.start.startsWith(q.month)));
  }

  async createAppointment(input: CreateAppointmentInput, key: string): Promise<ProviderResult<ProviderAppointment>> {
    const f = this.failure('createAppointment', [input, key]);
    if (f) return err(f);
    const seen = this.keys.get(key);
    if (seen) return ok(seen);
    if (!this.allSlots(input.calendarId).some((s) => Date.parse(s.start) === Date.parse(input.start))) return err({ kind: 'slot_unavailable', status: 409, code: 'slot_unavailable', message: 'slot taken' });
    const id = `A${++this.seq}`;
    const a: ProviderAppointment = {
      appointmentId: id,
      status: 'SCHEDULED',
      start: input.start,
      calendarId: input.calendarId,
      appointmentTypeId: input.appointmentTypeId,
      ...(input.patientId ? { patientId: input.patientId } : { temporaryPatientId: `T${this.seq}` }),
      patient: input.patient,
    };
    this.appointments.set(id, a);
    this.keys.set(key, a);
    return ok(a);
  }

  /** Books a slot behind the bot's back (another patient), to provoke a 409. */
  takeSlot(calendarId: string, appointmentTypeId: string, start: string): void {
    const id = `X${++this.seq}`;
    this.appointments.set(id, { appointmentId: id, status: 'SCHEDULED', start, calendarId, appointmentTypeId, patient: { name: 'Someone Else', phone: '+639170000000' } });
  }

  async listAppointments(q: { patientId?: string; temporaryPatientId?: string }): Promise<ProviderResult<ProviderAppointment[]>> {
    const f = this.failure('listAppointments', [q]);
    if (f) return err(f);
    return ok([...this.appointments.values()].filter((a) => (q.patientId && a.patientId === q.patientId) || (q.temporaryPatientId && a.temporaryPatientId === q.temporaryPatientId)));
  }

  async reschedule(id: string, start: string, key: string): Promise<ProviderResult<ProviderAppointment>> {
    const f = this.failure('reschedule', [id, start, key]);
    if (f) return err(f);
    const seen = this.keys.get(key);
    if (seen) return ok(seen);
    const a = this.appointments.get(id);
    if (!a) return err({ kind: 'not_found', status: 404, message: 'no such appointment' });
    if (!this.allSlots(a.calendarId).some((s) => Date.parse(s.start) === Date.parse(start))) return err({ kind: 'slot_unavailable', status: 409, message: 'slot taken' });
    const next = { ...a, start, status: 'RESCHEDULED' as const };
    this.appointments.set(id, next);
    this.keys.set(key, next);
    return ok(next);
  }

  async cancel(id: string, _reason: string | undefined, key: string): Promise<ProviderResult<ProviderAppointment>> {
    const f = this.failure('cancel', [id, key]);
    if (f) return err(f);
    const a = this.appointments.get(id);
    if (!a) return err({ kind: 'not_found', status: 404, message: 'no such appointment' });
    const next = { ...a, status: 'CANCELED' as const };
    this.appointments.set(id, next);
    return ok(next);
  }

  async confirm(id: string, key: string): Promise<ProviderResult<ProviderAppointment>> {
    const f = this.failure('confirm', [id, key]);
    if (f) return err(f);
    if (this.opts.confirmSupported === false) return err({ kind: 'unsupported', status: 404, message: 'no confirm endpoint' });
    const a = this.appointments.get(id);
    if (!a) return err({ kind: 'not_found', status: 404, message: 'no such appointment' });
    const next = { ...a, status: 'CONFIRMED' as const };
    this.appointments.set(id, next);
    return ok(next);
  }

  /** Stand-in for the engine's local mirror: the contact's appointments by patient ids or phone. */
  async myAppointments(contact: FlowContact): Promise<ProviderResult<Appointment[]>> {
    const f = this.failure('listAppointments', [contact.id]);
    if (f) return err(f);
    const mine = [...this.appointments.values()].filter(
      (a) => (contact.patientId && a.patientId === contact.patientId) || (contact.people ?? []).some((p) => p.verified && p.patientId && a.patientId === p.patientId) || (contact.phone && a.patient.phone === contact.phone),
    );
    return ok(mine.map((a) => ({ ...a, facilityId: 'test' })));
  }
}
