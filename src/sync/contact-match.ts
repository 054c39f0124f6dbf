import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Contact, ProviderAppointment } from '../core/domain.js';
import type { ContactRepo } from '../store/types.js';

/** E.164 for a phone as written by a desk, read with the facility's country as default. */
export function normalizePhone(raw: string | undefined, country: string): string | undefined {
  if (!raw) return undefined;
  const p = parsePhoneNumberFromString(raw, country as CountryCode);
  return p?.isValid() ? p.number : undefined;
}

/**
 * Whose appointment is this? The permanent id, then the temporary id, then the normalized phone;
 * otherwise a new contact reachable by SMS at that phone (contract §3).
 */
export async function matchContact(
  contacts: ContactRepo,
  facilityId: string,
  country: string,
  appt: ProviderAppointment,
  /** false for the bot's own bookings: the conversation that made it records its contact */
  create = true,
): Promise<{ contact: Contact; created: boolean } | undefined> {
  const byId = (appt.patientId && (await contacts.byPatientId(facilityId, appt.patientId))) ||
    (appt.temporaryPatientId && (await contacts.byPatientId(facilityId, appt.temporaryPatientId))) ||
    undefined;
  const phone = normalizePhone(appt.patient.phone, country);
  let contact = byId || (phone ? await contacts.byPhone(facilityId, phone) : undefined);
  let created = false;
  if (!contact) {
    if (!phone || !create) return undefined;
    contact = await contacts.ensureForPhone(facilityId, phone, { name: appt.patient.name });
    created = true;
  }
  const needs = (appt.patientId && contact.patientId !== appt.patientId) ||
    (appt.temporaryPatientId && !(contact.temporaryPatientIds ?? []).includes(appt.temporaryPatientId)) ||
    (phone && !contact.phone);
  if (needs) {
    contact = await contacts.update(facilityId, contact.id, (c) => {
      if (appt.patientId) c.patientId = appt.patientId;
      if (appt.temporaryPatientId && !(c.temporaryPatientIds ?? []).includes(appt.temporaryPatientId)) {
        c.temporaryPatientIds = [...(c.temporaryPatientIds ?? []), appt.temporaryPatientId];
      }
      if (phone && !c.phone) c.phone = phone;
      if (phone && !c.sms) c.sms = { phone, optedOut: false };
      if (!c.name) c.name = appt.patient.name;
    });
  }
  return { contact, created };
}
