/**
 * The seeded clinic every sandbox facility starts with (same layout for each facility).
 *
 * Calendars (ids are strings, numeric like many real systems):
 *   101  Dr. Maria Santos — Internal Medicine   types 1001 Consultation (30), 1002 Follow-up (15)
 *   102  Dr. Jose Reyes — Pediatrics            types 1011 Consultation (30), 1012 Follow-up (15), 1013 Vaccination (15)
 *   103  Dr. Ana Cruz — OB-GYN                  types 1021 Consultation (30), 1022 Prenatal check-up (30), 1023 Follow-up (15)
 *   201  Laboratory                             type  2001 Laboratory test (10)   ← the calendar with a single type
 * Hours Mon–Sat 08:00–12:00 and 13:00–17:00 (facility zone), Sunday closed; slots from tomorrow for 90 days.
 * About 20% of each calendar's cells are held by other (unlisted) patients, chosen by hashing `seed`.
 *
 * Registered patients (permanent ids), for tests — `GET /patient` matches name (any case) + dob + phone:
 *   P-100001  Juan Dela Cruz,      1985-03-14, +639171234567 — SCHEDULED 1001 consultation, 3 days after now()
 *   P-100002  Maria Clara Santos,  1990-07-22, +639181112233 — CONFIRMED 1022 prenatal check-up, 5 days after now()
 *   P-100003  Jose Rizal Mercado,  1961-06-19, +639209876543 — SHOW (queue 4) 1002 follow-up, 7 days before now()
 *   P-100004  Ana Reyes,           2019-11-02, +639175550001 — SCHEDULED 1013 vaccination, 10 days after now()
 * Unregistered patient booked from chat earlier (temporary id, for the assign-permanent-id flow):
 *   TMP-000001  Rosa Villanueva,   1978-01-30, +639285550123 — SCHEDULED 2001 laboratory test, 2 days after now()
 * Each "n days after now()" is the first free slot of that type on the first open day at or after that date.
 */
import type { Calendar, PatientDetails } from '../core/domain.js';
import type { AppointmentStatus } from '../core/status.js';

export interface SeedCalendar extends Calendar {
  /** the width of the cells the "other patients" hold: the calendar's longest type */
  holdMinutes: number;
}

const type = (id: string, name: string, durationMinutes: number) => ({ id, name, durationMinutes });

export const SEED_CALENDARS: readonly Omit<SeedCalendar, 'timezone'>[] = [
  { id: '101', name: 'Dr. Maria Santos — Internal Medicine', holdMinutes: 30, appointmentTypes: [type('1001', 'Consultation', 30), type('1002', 'Follow-up', 15)] },
  {
    id: '102', name: 'Dr. Jose Reyes — Pediatrics', holdMinutes: 30,
    appointmentTypes: [type('1011', 'Consultation', 30), type('1012', 'Follow-up', 15), type('1013', 'Vaccination', 15)],
  },
  {
    id: '103', name: 'Dr. Ana Cruz — OB-GYN', holdMinutes: 30,
    appointmentTypes: [type('1021', 'Consultation', 30), type('1022', 'Prenatal check-up', 30), type('1023', 'Follow-up', 15)],
  },
  { id: '201', name: 'Laboratory', holdMinutes: 10, appointmentTypes: [type('2001', 'Laboratory test', 10)] },
];

/** Share of cells held by other patients. */
export const HELD_SHARE = 0.2;

export interface SeedPatient extends PatientDetails {
  patientId?: string;
  temporaryPatientId?: string;
}

export const SEED_PATIENTS: readonly SeedPatient[] = [
  { patientId: 'P-100001', name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567', email: 'juan.delacruz@example.com', gender: 'male' },
  { patientId: 'P-100002', name: 'Maria Clara Santos', dob: '1990-07-22', phone: '+639181112233', gender: 'female' },
  { patientId: 'P-100003', name: 'Jose Rizal Mercado', dob: '1961-06-19', phone: '+639209876543', gender: 'male', nationalId: '1234-5678-9012' },
  { patientId: 'P-100004', name: 'Ana Reyes', dob: '2019-11-02', phone: '+639175550001', gender: 'female' },
  { temporaryPatientId: 'TMP-000001', name: 'Rosa Villanueva', dob: '1978-01-30', phone: '+639285550123', gender: 'female' },
];

export interface SeedAppointment {
  patientKey: string;
  calendarId: string;
  appointmentTypeId: string;
  daysFromNow: number;
  status: AppointmentStatus;
  queueNumber?: string;
}

export const SEED_APPOINTMENTS: readonly SeedAppointment[] = [
  { patientKey: 'P-100001', calendarId: '101', appointmentTypeId: '1001', daysFromNow: 3, status: 'SCHEDULED' },
  { patientKey: 'P-100002', calendarId: '103', appointmentTypeId: '1022', daysFromNow: 5, status: 'CONFIRMED' },
  { patientKey: 'P-100003', calendarId: '101', appointmentTypeId: '1002', daysFromNow: -7, status: 'SHOW', queueNumber: '4' },
  { patientKey: 'P-100004', calendarId: '102', appointmentTypeId: '1013', daysFromNow: 10, status: 'SCHEDULED' },
  { patientKey: 'TMP-000001', calendarId: '201', appointmentTypeId: '2001', daysFromNow: 2, status: 'SCHEDULED' },
];

/** Names for generated patients (bulk creation). */
export const GIVEN_NAMES = ['Andres', 'Bea', 'Carlo', 'Dolores', 'Emilio', 'Faye', 'Gabriel', 'Hazel', 'Isagani', 'Joy', 'Kiko', 'Liza', 'Marco', 'Nena', 'Oscar', 'Pia'];
export const FAMILY_NAMES = ['Aquino', 'Bautista', 'Castillo', 'Domingo', 'Estrada', 'Flores', 'Garcia', 'Hernandez', 'Ignacio', 'Lopez', 'Mendoza', 'Navarro', 'Ocampo', 'Pascual'];
