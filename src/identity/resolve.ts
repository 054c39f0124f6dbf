import { PHONE_CHANNEL, type Contact, type Patient, type ProviderAppointment } from '../core/domain.js';
import { normalizePhone } from '../core/phone.js';
import type { Store } from '../store/types.js';

/**
 * Contract §3. Whose appointment is this? The patient holding its `patientId`, else its
 * `temporaryPatientId`; otherwise a new patient. A phone never decides who the patient is, and an
 * existing patient's name and date of birth are never rewritten by a desk event.
 */
export async function patientOfAppointment(store: Store, facilityId: string, country: string, appt: ProviderAppointment): Promise<Patient> {
  const phone = normalizePhone(appt.patient.phone, country);
  const ids = { ...(appt.patientId ? { patientId: appt.patientId } : {}), ...(appt.temporaryPatientId ? { temporaryPatientId: appt.temporaryPatientId } : {}) };
  const init: Partial<Patient> = {
    name: appt.patient.name,
    ...(appt.patient.dob ? { dob: appt.patient.dob } : {}),
    ...(appt.patient.gender ? { gender: appt.patient.gender } : {}),
    ...(phone ? { phones: [phone] } : {}),
  };
  const patient = await store.patients.ensure(facilityId, ids, init);
  if (!phone || (patient.phones ?? []).includes(phone)) return patient;
  return (await store.patients.update(facilityId, patient.id, (p) => ({ ...p, phones: [...(p.phones ?? []), phone] }))).patient;
}

/**
 * Whom to tell about a desk or walk-in booking: the contact that has verified the appointment's phone,
 * else that phone as an SMS contact (created); without a phone, a contact the patient is verified-linked to.
 */
export async function recipientFor(store: Store, facilityId: string, country: string, appt: ProviderAppointment, patient: Patient, create: boolean): Promise<Contact | undefined> {
  const phone = normalizePhone(appt.patient.phone, country);
  if (phone) {
    const holder = await store.contacts.byVerifiedPhone(facilityId, phone);
    if (holder) return holder;
    if (create) return store.contacts.ensureForPhone(facilityId, phone);
    return store.contacts.byChannelUser(facilityId, PHONE_CHANNEL, phone);
  }
  const link = patient.links.find((l) => l.verified);
  return link ? store.contacts.get(facilityId, link.contactId) : undefined;
}
