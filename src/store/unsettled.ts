import type { ProviderAppointment } from '../core/domain.js';
import type { StoreBackend } from './types.js';

/**
 * Chat writes whose provider answer was lost (timeout, 5xx, an unreadable 2xx): they may have happened.
 * Key family `unsettled:<facility>` (sorted set of idempotency keys) and `unsettled:<facility>:<key>`
 * (the write), owner src/engine (written and settled by the turn's actors), read by src/sync, kept
 * 48 h (longer than a provider keeps an Idempotency-Key is of no use).
 *
 * While a write is unsettled: asking for the same change again reuses its key (nothing is booked twice),
 * the conversation's check looks it up before redoing it, and the provider's webhook for it is announced
 * to the patient although its `source` is the bot (the chat could not say it happened).
 */

export type UnsettledOp = 'create' | 'reschedule' | 'cancel';

export interface UnsettledWrite {
  /** the Idempotency-Key the write was sent with */
  key: string;
  op: UnsettledOp;
  /** the contact that asked for it in chat: told when the provider reports it */
  contactId: string;
  /** reschedule / cancel: the appointment changed */
  appointmentId?: string;
  calendarId?: string;
  /** create / reschedule: the start asked for */
  start?: string;
  patientId?: string;
  temporaryPatientId?: string;
  /** create: whom for, as sent */
  patient?: { name?: string; phone?: string };
  at: string;
  /** a provider webhook reported it and the patient was told */
  announced?: boolean;
}

export const UNSETTLED_TTL_MS = 48 * 3600_000;

const setKey = (facilityId: string) => `unsettled:${facilityId}`;
const itemKey = (facilityId: string, key: string) => `unsettled:${facilityId}:${key}`;

export async function markUnsettled(backend: StoreBackend, facilityId: string, w: UnsettledWrite): Promise<void> {
  const current = await backend.kv.get<UnsettledWrite>(itemKey(facilityId, w.key));
  await backend.kv.set(itemKey(facilityId, w.key), { ...w, ...(current?.announced ? { announced: true } : {}) }, UNSETTLED_TTL_MS);
  await backend.indexes.add(setKey(facilityId), w.key, Date.parse(w.at) || Date.now());
}

/** the write's outcome is known (the chat said it): nothing left to check or announce */
export async function settleUnsettled(backend: StoreBackend, facilityId: string, key: string): Promise<void> {
  await backend.kv.delete(itemKey(facilityId, key));
  await backend.indexes.remove(setKey(facilityId), key);
}

/** the facility's unsettled writes (few: only lost answers), oldest first */
export async function unsettledWrites(backend: StoreBackend, facilityId: string): Promise<UnsettledWrite[]> {
  const out: UnsettledWrite[] = [];
  for (const key of await backend.indexes.members(setKey(facilityId))) {
    const w = await backend.kv.get<UnsettledWrite>(itemKey(facilityId, key));
    if (w) out.push(w);
    else await backend.indexes.remove(setKey(facilityId), key); // expired
  }
  return out;
}

export const sameInstant = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && Date.parse(a) === Date.parse(b);

const norm = (s: string | undefined) => (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
const digits = (s: string | undefined) => (s ?? '').replace(/\D/g, '').slice(-9);

/** the same person as the booking asked for: same name, and the same phone when both carry one */
export function samePatient(asked: UnsettledWrite['patient'], seen: { name?: string; phone?: string } | undefined): boolean {
  if (!asked?.name || !seen?.name || norm(asked.name) !== norm(seen.name)) return false;
  return !asked.phone || !seen.phone || digits(asked.phone) === digits(seen.phone);
}

/** Does this provider-reported change carry out `w`? `ids`: the appointment's ids in our mirror (current and earlier). */
export function reports(w: UnsettledWrite, kind: string, appt: ProviderAppointment, ids: string[]): boolean {
  const known = !!w.appointmentId && [appt.appointmentId, ...ids].includes(w.appointmentId);
  switch (w.op) {
    case 'create':
      return kind === 'created' && w.calendarId === appt.calendarId && sameInstant(w.start, appt.start) && samePatient(w.patient, appt.patient) && (!w.patientId || !appt.patientId || w.patientId === appt.patientId);
    case 'reschedule': {
      const samePerson = (!!w.patientId && w.patientId === appt.patientId) || (!!w.temporaryPatientId && w.temporaryPatientId === appt.temporaryPatientId);
      // a provider that reschedules under a new id reports the new one: same calendar, start and patient
      return kind === 'rescheduled' && sameInstant(w.start, appt.start) && (known || (w.calendarId === appt.calendarId && samePerson));
    }
    case 'cancel':
      return kind === 'canceled' && known;
  }
}

/**
 * The unsettled chat write a provider event reports, not yet announced: marked announced and returned
 * (the patient is to be told, once). Undefined when the event is not one of those.
 */
export async function takeUnsettled(backend: StoreBackend, facilityId: string, kind: string, appt: ProviderAppointment, ids: string[]): Promise<UnsettledWrite | undefined> {
  const w = (await unsettledWrites(backend, facilityId)).find((x) => !x.announced && reports(x, kind, appt, ids));
  if (!w) return undefined;
  await backend.kv.set(itemKey(facilityId, w.key), { ...w, announced: true }, UNSETTLED_TTL_MS);
  return w;
}
