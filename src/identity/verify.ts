import { PHONE_CHANNEL, type ChannelName, type Contact, type Patient, type Relationship } from '../core/domain.js';
import type { Logger } from '../log.js';
import { channelAddress } from '../store/contacts.js';
import type { Store } from '../store/types.js';

/** the chat channels (every one but the phone's own) either contact has an address on */
const chatChannels = (a: Contact, b: Contact): ChannelName[] => [...new Set([...Object.keys(a.channels ?? {}), ...Object.keys(b.channels ?? {})] as ChannelName[])].filter((ch) => ch !== PHONE_CHANNEL);

/** Two chat users of one channel sharing a phone are two people (a parent and a child), never one contact. */
function mergeable(a: Contact, b: Contact): boolean {
  return chatChannels(a, b).every((ch) => {
    const x = channelAddress(a, ch);
    const y = channelAddress(b, ch);
    return !x || !y || x === y;
  });
}

/** folds contact `fromId` into `intoId`: its addresses, its patients' links and the appointments it is told about */
export async function foldContact(store: Store, facilityId: string, intoId: string, fromId: string): Promise<void> {
  const appointments = await store.appointments.byContact(facilityId, fromId);
  await store.contacts.merge(facilityId, intoId, fromId);
  await store.patients.moveLinks(facilityId, fromId, intoId);
  for (const a of appointments) {
    await store.appointments.upsert(facilityId, a.appointmentId, (cur) =>
      cur ? { ...cur, ...(cur.contactId === fromId ? { contactId: intoId } : {}), ...(cur.bookedBy === fromId ? { bookedBy: intoId } : {}) } : undefined,
    );
  }
}

const firstName = (name: string | undefined) => name?.trim().split(/\s+/)[0]?.toLowerCase();

/** the relationship we can assume for a patient found behind a proved phone: self when the names agree */
function assumedRelationship(self: { name?: string; dob?: string }, p: Patient): Relationship {
  return self.name && firstName(self.name) === firstName(p.name) && (!self.dob || !p.dob || self.dob === p.dob) ? 'self' : 'other';
}

/**
 * `contactId` proved `phone` (a code typed back, or an SMS from it). From now on it is the phone's
 * contact: another contact that held the phone (its SMS address, or a chat identity that proved it
 * before) is folded in when they can be one person, and every patient whose bookings carry the phone
 * is linked to it as verified. Returns the contact as it is after that.
 */
export async function confirmPhone(
  store: Store,
  facilityId: string,
  contactId: string,
  phone: string,
  how: 'code' | typeof PHONE_CHANNEL | 'staff',
  at: string,
  /** what the contact says of itself (this booking's details), to tell its own record from its household's */
  self?: { name?: string; dob?: string },
  logger?: Logger,
): Promise<Contact> {
  let res = await store.contacts.verifyPhone(facilityId, contactId, phone, how, at);
  const smsContact = await store.contacts.byChannelUser(facilityId, PHONE_CHANNEL, phone);
  const others = [...new Set([res.heldBy, smsContact?.id].filter((x): x is string => !!x && x !== contactId))];
  for (const otherId of others) {
    const [self, other] = [await store.contacts.get(facilityId, contactId), await store.contacts.get(facilityId, otherId)];
    if (!self || !other || other.id === self.id) continue;
    if (!mergeable(self, other)) {
      logger?.info({ facilityId, contactId, holder: other.id }, 'a second chat user of one channel proved a phone another holds; not merged');
      continue;
    }
    await foldContact(store, facilityId, self.id, other.id);
    logger?.info({ facilityId, contactId, merged: other.id }, 'contact that held a proved phone merged');
  }
  if (others.length) res = await store.contacts.verifyPhone(facilityId, contactId, phone, how, at);
  const contact = res.contact;
  for (const p of await store.patients.byPhone(facilityId, phone)) {
    const existing = p.links.find((l) => l.contactId === contact.id);
    await store.patients.link(facilityId, p.id, {
      contactId: contact.id,
      relationship: existing && existing.relationship !== 'other' ? existing.relationship : assumedRelationship({ name: self?.name ?? contact.name, dob: self?.dob ?? contact.dob }, p),
      verified: true,
      how: 'verified_phone',
      since: at,
    });
  }
  return (await store.contacts.get(facilityId, contactId)) ?? contact;
}

/** Is this contact's phone its own, proved? */
export const hasVerifiedPhone = (c: Pick<Contact, 'phone' | 'phoneVerifiedAt'>, phone?: string): boolean =>
  !!c.phoneVerifiedAt && !!c.phone && (phone === undefined || c.phone === phone);

/** the patients whose records this contact may see and change beyond its own chat bookings */
export async function verifiedPatients(store: Store, facilityId: string, contactId: string): Promise<Patient[]> {
  return (await store.patients.ofContact(facilityId, contactId)).filter((p) => p.links.some((l) => l.contactId === contactId && l.verified));
}
