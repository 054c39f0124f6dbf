import type { ChannelName, Contact } from '../core/domain.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';

const CHAT: ChannelName[] = ['messenger', 'viber', 'dev'];

const chatAddress = (c: Contact, ch: ChannelName): string | undefined =>
  ch === 'messenger' ? c.messenger?.psid : ch === 'viber' ? c.viber?.userId : ch === 'dev' ? c.dev?.userId : undefined;

/** Two chat users of one channel sharing a phone are two people (a parent booking for a child), never one. */
function samePersonPossible(a: Contact, b: Contact): boolean {
  return CHAT.every((ch) => {
    const x = chatAddress(a, ch);
    const y = chatAddress(b, ch);
    return !x || !y || x === y;
  });
}

/**
 * A patient known to us by phone or patient id (a desk booking, an earlier chat on another channel)
 * who now tells the bot the same mobile or turns out to be the same patient: fold that contact into
 * this one, with its appointments, instead of keeping two.
 */
export async function linkKnownContact(
  store: Store,
  facilityId: string,
  contactId: string,
  keys: { phone?: string; patientId?: string; temporaryPatientId?: string },
  logger?: Logger,
): Promise<void> {
  const found = [
    keys.phone ? await store.contacts.byPhone(facilityId, keys.phone) : undefined,
    keys.patientId ? await store.contacts.byPatientId(facilityId, keys.patientId) : undefined,
    keys.temporaryPatientId ? await store.contacts.byPatientId(facilityId, keys.temporaryPatientId) : undefined,
  ];
  const self = await store.contacts.get(facilityId, contactId);
  if (!self) return;
  const seen = new Set<string>([self.id]);
  for (const other of found) {
    if (!other || seen.has(other.id)) continue;
    seen.add(other.id);
    if (!samePersonPossible(self, other)) continue;
    const appointments = await store.appointments.byContact(facilityId, other.id);
    await store.contacts.merge(facilityId, self.id, other.id);
    for (const a of appointments) {
      await store.appointments.upsert(facilityId, a.appointmentId, (cur) => (cur ? { ...cur, contactId: self.id } : undefined));
    }
    logger?.info({ facilityId, contactId: self.id, linked: other.id, appointments: appointments.length }, 'linked a known contact');
  }
}
