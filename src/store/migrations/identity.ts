import { PHONE_CHANNEL, type Contact, type Patient } from '../../core/domain.js';
import type { Logger } from '../../log.js';
import { legacyPhoneKey } from '../contacts.js';
import type { NamespacedBackend } from '../backends/namespaced.js';
import type { Store } from '../types.js';

/** A contact as the previous version stored it: patient ids on the contact, any typed phone claimed. */
export type LegacyContact = Contact & { patientId?: string; temporaryPatientIds?: string[] };

const markerKey = (f: string) => `migration:identity-v2:${f}`;
const legacyPidSet = (f: string, pid: string) => `contact-pid:${f}:${pid}`;

const hasChat = (c: Contact) => Object.entries(c.channels ?? {}).some(([ch, st]) => ch !== PHONE_CHANNEL && !!st?.userId);

/**
 * Once per facility, at start-up: contacts of the previous version become contacts plus patients.
 * - An SMS-only contact is its number: verified. Any other contact's phone was typed: unverified.
 * - A chat contact that the previous version merged with an SMS contact (a typed phone was enough)
 *   is split: the number becomes its own SMS contact again, with the desk's appointments; the chat
 *   keeps what it booked itself.
 * - Patient ids move to patient records (one per provider id, never shared), linked to the contact:
 *   verified for the SMS contact, claimed for a chat contact.
 * Nothing is deleted: every appointment keeps a contact, conversations stay where they are.
 */
export async function migrateIdentity(store: Store & { backend: NamespacedBackend }, facilityIds: string[], logger?: Logger): Promise<number> {
  let migrated = 0;
  for (const f of facilityIds) {
    if (await store.backend.kv.get(markerKey(f))) continue;
    for (const legacy of (await store.contacts.list(f)) as LegacyContact[]) {
      if (await migrateContact(store, f, legacy)) migrated += 1;
    }
    await store.backend.kv.set(markerKey(f), new Date().toISOString());
  }
  if (migrated) logger?.info({ contacts: migrated }, 'contacts migrated to the contact/patient model');
  return migrated;
}

async function migrateContact(store: Store & { backend: NamespacedBackend }, f: string, legacy: LegacyContact): Promise<boolean> {
  const pids = [legacy.patientId, ...(legacy.temporaryPatientIds ?? [])].filter((x): x is string => !!x);
  const smsState = legacy.channels?.[PHONE_CHANNEL];
  const smsPhone = smsState?.userId;
  const smsOnly = !!smsPhone && !hasChat(legacy);
  const split = !!smsPhone && hasChat(legacy);
  if (!pids.length && !legacy.phone && !smsPhone) return false;
  const at = new Date().toISOString();
  for (const phone of new Set([legacy.phone, smsPhone].filter((x): x is string => !!x))) await store.backend.indexes.release(legacyPhoneKey(f, phone), legacy.id);
  for (const pid of pids) await store.backend.indexes.remove(legacyPidSet(f, pid), legacy.id);
  await store.contacts.update(f, legacy.id, (c) => {
    const next = { ...c } as LegacyContact;
    delete next.patientId;
    delete next.temporaryPatientIds;
    if (split && next.channels) {
      const { [PHONE_CHANNEL]: _sms, ...others } = next.channels;
      next.channels = others;
    }
    if (smsOnly) {
      next.phone = smsPhone;
      next.phoneVerifiedAt = smsState?.lastInboundAt ?? legacy.createdAt;
      next.phoneVerifiedBy = PHONE_CHANNEL;
    } else {
      delete next.phoneVerifiedAt;
      delete next.phoneVerifiedBy;
    }
    return next;
  });
  const smsContact = split ? await store.contacts.ensureForChannelUser(f, PHONE_CHANNEL, smsPhone!, { ...(smsState ? { channels: { [PHONE_CHANNEL]: smsState } } : {}), locale: legacy.locale }) : undefined;
  const appointments = await store.appointments.byContact(f, legacy.id);
  const patientIdsOf = new Set(pids);
  let patient: Patient | undefined;
  if (pids.length) {
    const ids = { ...(legacy.patientId ? { patientId: legacy.patientId } : {}), ...(legacy.temporaryPatientIds?.[0] ? { temporaryPatientId: legacy.temporaryPatientIds[0] } : {}) };
    patient = await store.patients.ensure(f, ids, {
      name: legacy.name, dob: legacy.dob, gender: legacy.gender, nationalId: legacy.nationalId,
      ...(legacy.phone || smsPhone ? { phones: [...new Set([legacy.phone, smsPhone].filter((x): x is string => !!x))] } : {}),
    });
    for (const extra of (legacy.temporaryPatientIds ?? []).slice(1)) {
      await store.patients.update(f, patient.id, (p) => ({ ...p, temporaryPatientIds: [...new Set([...(p.temporaryPatientIds ?? []), extra])] }));
    }
    await store.patients.link(f, patient.id, { contactId: legacy.id, relationship: 'self', verified: smsOnly, how: 'migration', since: at, ...(legacy.consentAt ? { consentAt: legacy.consentAt } : {}) });
    if (smsContact) await store.patients.link(f, patient.id, { contactId: smsContact.id, relationship: 'other', verified: true, how: 'migration', since: at });
  }
  for (const a of appointments) {
    const desk = a.source !== 'bot';
    await store.appointments.upsert(f, a.appointmentId, (cur) => {
      if (!cur) return undefined;
      const ofPatient = patient && ((cur.patientId && patientIdsOf.has(cur.patientId)) || (cur.temporaryPatientId && patientIdsOf.has(cur.temporaryPatientId)));
      return {
        ...cur,
        ...(ofPatient && !cur.patientRef ? { patientRef: patient!.id } : {}),
        ...(desk ? {} : { bookedBy: cur.bookedBy ?? legacy.id }),
        // the desk's notices go back to the number they were for
        ...(desk && smsContact ? { contactId: smsContact.id } : {}),
      };
    });
  }
  return true;
}
