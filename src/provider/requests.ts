import type { CreateAppointmentInput, ProviderClient } from '../core/provider.js';
import type { ProviderRequest } from './transport.js';

/** The provider calls the client makes: each request's log label, and the operation its errors are read for. */
export type Operation = 'listCalendars' | 'findPatient' | 'availability' | 'createAppointment' | 'listAppointments' | 'reschedule' | 'cancel' | 'confirm';

export type OperationRequest = ProviderRequest & { operation: Operation };

type Query<K extends keyof ProviderClient> = Parameters<ProviderClient[K]>[0];

const appointmentPath = (appointmentId: string, action: string) => `/appointments/${encodeURIComponent(appointmentId)}/${action}`;

/** The HTTP request of each provider call (contract §1), built from the client's arguments. */
export const requests = {
  listCalendars: (): OperationRequest => ({ method: 'GET', path: '/calendars', operation: 'listCalendars' }),

  findPatient: (q: Query<'findPatient'>): OperationRequest => ({
    method: 'GET',
    path: '/patient',
    operation: 'findPatient',
    query: { name: q.name, dob: q.dob, phone: q.phone, email: q.email, nationalId: q.nationalId },
  }),

  availability: (q: Query<'availability'>): OperationRequest => ({
    method: 'GET',
    path: '/availability',
    operation: 'availability',
    query: { month: q.month, calendar_id: q.calendarId, appointment_type_id: q.appointmentTypeId },
  }),

  createAppointment: (input: CreateAppointmentInput, idempotencyKey: string): OperationRequest => {
    const body = {
      calendarId: input.calendarId,
      appointmentTypeId: input.appointmentTypeId,
      start: input.start,
      ...(input.patientId ? { patientId: input.patientId } : {}),
      patient: input.patient,
      ...(input.notes ? { notes: input.notes } : {}),
    };
    return { method: 'POST', path: '/appointments', operation: 'createAppointment', body, idempotencyKey };
  },

  listAppointments: (q: Query<'listAppointments'>): OperationRequest => ({
    method: 'GET',
    path: '/appointments',
    operation: 'listAppointments',
    query: { patientId: q.patientId, temporaryPatientId: q.temporaryPatientId, from: q.from, to: q.to },
  }),

  reschedule: (appointmentId: string, start: string, idempotencyKey: string): OperationRequest => ({
    method: 'PUT',
    path: appointmentPath(appointmentId, 'reschedule'),
    operation: 'reschedule',
    body: { start },
    idempotencyKey,
  }),

  cancel: (appointmentId: string, reason: string | undefined, idempotencyKey: string): OperationRequest => ({
    method: 'PUT',
    path: appointmentPath(appointmentId, 'cancel'),
    operation: 'cancel',
    body: reason ? { reason } : {},
    idempotencyKey,
  }),

  confirm: (appointmentId: string, idempotencyKey: string): OperationRequest => ({
    method: 'PUT',
    path: appointmentPath(appointmentId, 'confirm'),
    operation: 'confirm',
    idempotencyKey,
  }),
};
