import type { Calendar, PatientDetails, ProviderAppointment, ProviderPatient, Slot } from './domain.js';
import type { Result } from './result.js';

/** Typed provider failures (contract §1). */
export type ProviderErrorKind =
  | 'slot_unavailable' // 409 on create / reschedule
  | 'too_close' // 422 reschedule_too_close / cancel_too_close
  | 'not_found'
  | 'unauthorized'
  | 'unavailable' // timeout, 5xx, connection reset, breaker open
  | 'unsupported' // confirm endpoint missing (404/405)
  | 'invalid'; // 400/422 other than too_close, or a response we cannot read

export interface ProviderError {
  kind: ProviderErrorKind;
  message: string;
  status?: number;
  code?: string;
}

export type ProviderResult<T> = Result<T, ProviderError>;

export interface PatientQuery {
  name: string;
  dob: string;
  phone: string;
  email?: string;
  nationalId?: string;
}

export interface CreateAppointmentInput {
  calendarId: string;
  appointmentTypeId: string;
  start: string;
  patientId?: string;
  patient: PatientDetails;
  notes?: string;
}

/** One facility's scheduling system, as the bot uses it. Flows receive this through injected actors. */
export interface ProviderClient {
  listCalendars(): Promise<ProviderResult<Calendar[]>>;
  findPatient(q: PatientQuery): Promise<ProviderResult<ProviderPatient | null>>;
  availability(q: { month: string; calendarId: string; appointmentTypeId: string }): Promise<ProviderResult<Slot[]>>;
  createAppointment(input: CreateAppointmentInput, idempotencyKey: string): Promise<ProviderResult<ProviderAppointment>>;
  listAppointments(q: { patientId?: string; temporaryPatientId?: string; from?: string; to?: string }): Promise<ProviderResult<ProviderAppointment[]>>;
  reschedule(appointmentId: string, start: string, idempotencyKey: string): Promise<ProviderResult<ProviderAppointment>>;
  cancel(appointmentId: string, reason: string | undefined, idempotencyKey: string): Promise<ProviderResult<ProviderAppointment>>;
  confirm(appointmentId: string, idempotencyKey: string): Promise<ProviderResult<ProviderAppointment>>;
}
