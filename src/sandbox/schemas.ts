import { z } from 'zod';

/** Request shapes of the sandbox's two APIs, validated at the edge. */

/** Ids are strings in the contract; a number is tolerated and read as its string. */
const id = z.union([z.string().min(1), z.number().int().transform(String)]);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number');
const dateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'must be an ISO 8601 date-time');

export const PatientQuery = z.object({
  name: z.string().trim().min(1),
  dob: date,
  phone: e164,
  email: z.string().optional(),
  nationalId: z.string().optional(),
});

export const AvailabilityQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'),
  calendar_id: z.string().min(1),
  appointment_type_id: z.string().min(1),
});

const contact = {
  name: z.string().trim().min(1),
  phone: e164,
  email: z.string().optional(),
  gender: z.string().optional(),
  nationalId: z.string().optional(),
};

export const CreateAppointmentBody = z.object({
  calendarId: id,
  appointmentTypeId: id,
  start: dateTime,
  patientId: id.optional(),
  patient: z.object({ ...contact, dob: date }),
  notes: z.string().optional(),
});

export const ListAppointmentsQuery = z
  .object({
    patientId: z.string().min(1).optional(),
    temporaryPatientId: z.string().min(1).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .refine((q) => q.patientId !== undefined || q.temporaryPatientId !== undefined, 'patientId or temporaryPatientId is required');

export const RescheduleBody = z.object({ start: dateTime });
export const CancelBody = z.object({ reason: z.string().optional() }).optional();

// ── staff API ──

export const StaffCreateBody = z.object({
  calendarId: id,
  appointmentTypeId: id,
  start: dateTime,
  patientId: id.optional(),
  patient: z.object({ ...contact, dob: date.optional() }),
  source: z.enum(['staff', 'walk-in']).default('staff'),
  notes: z.string().optional(),
  /** book even when the time overlaps another appointment (walk-ins always may) */
  overbook: z.boolean().default(false),
});

export const StaffRescheduleBody = z.object({ start: dateTime, overbook: z.boolean().default(false) });
export const StaffCheckInBody = z.object({ queueNumber: z.union([z.string().min(1), z.number().int().transform(String)]).optional() }).optional();
export const AssignPatientBody = z.object({ patientId: id.optional() }).optional();
export const BulkBody = z.object({
  date,
  count: z.number().int().min(1).max(2000),
  calendarId: id.optional(),
  source: z.enum(['staff', 'walk-in']).default('staff'),
  /** send appointmentCreated for each (default true) */
  notify: z.boolean().default(true),
});
export const WebhookTargetBody = z.object({ url: z.url(), secret: z.string().startsWith('whsec_').optional() });
export const StaffListQuery = z.object({ date: date.optional(), calendarId: z.string().optional(), status: z.string().optional() });
