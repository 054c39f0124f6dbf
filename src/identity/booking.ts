import type { Appointment, Contact, Patient, ProviderAppointment, Relationship } from '../core/domain.js';
import { normalizePhone } from '../core/phone.js';
import type { Store } from '../store/types.js';

export interface Subject {
  ref?: string;
  relationship: Relationship;
  name: string;
  consent: boolean;
}

/**
 * A booking this contact made in chat: the patient record it is for (the one holding the provider's
 * ids, never moved to another), and the contact's link to it. The link is verified only when the
 * booking's phone is one the contact proved; otherwise it covers just what this contact booked.
 */
export async function attachBooking(store: Store, facilityId: string, country: string, contact: Contact, appt: ProviderAppointment, subject: Subject | undefined, at: string): Promise<Patient> {
  const phone = normalizePhone(appt.patient.phone, country);
  const ids = { ...(appt.patientId ? { patientId: appt.patientId } : {}), ...(appt.temporaryPatientId ? { temporaryPatientId: appt.temporaryPatientId } : {}) };
  const init: Partial<Patient> = {
    name: subject?.name || appt.patient.name,
    ...(appt.patient.dob ? { dob: appt.patient.dob } : {}),
    ...(appt.patient.gender ? { gender: appt.patient.gender } : {}),
    ...(phone ? { phones: [phone] } : {}),
  };
  const saved = subject?.ref ? await store.patients.get(facilityId, subject.ref) : undefined;
  const byIds = ids.patientId || ids.temporaryPatientId ? await store.patients.ensure(facilityId, ids, saved ? {} : init) : undefined;
  let patient: Patient;
  if (saved && (!byIds || byIds.id === saved.id)) patient = saved;
  else if (saved && byIds && !saved.patientId && !(saved.temporaryPatientIds ?? []).length) {
    // a person first saved without ids: the provider's record is theirs now
    patient = await store.patients.merge(facilityId, byIds.id, saved.id);
  } else patient = byIds ?? (await store.patients.create(facilityId, init));
  if (phone && !(patient.phones ?? []).includes(phone)) {
    patient = (await store.patients.update(facilityId, patient.id, (p) => ({ ...p, phones: [...(p.phones ?? []), phone] }))).patient;
  }
  const proved = !!contact.phoneVerifiedAt && !!phone && contact.phone === phone;
  return store.patients.link(facilityId, patient.id, {
    contactId: contact.id,
    relationship: subject?.relationship ?? 'self',
    verified: proved,
    how: proved ? 'verified_phone' : 'booked_in_chat',
    since: at,
    ...(subject?.consent ? { consentAt: at } : {}),
  });
}

/** our mirror of a chat booking learns whose it is and who made it */
export function markBooked(store: Store, facilityId: string, appointmentId: string, patient: Patient, contactId: string): Promise<Appointment | undefined> {
  return store.appointments.upsert(facilityId, appointmentId, (cur) => (cur ? { ...cur, patientRef: cur.patientRef ?? patient.id, bookedBy: cur.bookedBy ?? contactId } : undefined));
}
