import type { Appointment, ProviderAppointment } from '../core/domain.js';
import type { ProviderClient } from '../core/provider.js';
import type { Store } from '../store/types.js';

export interface MirrorContext {
  store: Store;
  provider: ProviderClient;
  facilityId: string;
  contactId: string;
  now: () => Date;
  mirrorMaxAgeMs: number;
}

const refreshedKey = (facilityId: string, contactId: string) => `engine:mirror-refreshed:${facilityId}:${contactId}`;

/** merges what the provider says into our mirror without rolling back newer knowledge */
export function mergeProviderAppointment(
  current: Appointment | undefined,
  fresh: ProviderAppointment,
  facilityId: string,
  contactId: string,
): Appointment | undefined {
  if (current?.updatedAt && fresh.updatedAt && Date.parse(fresh.updatedAt) < Date.parse(current.updatedAt)) return undefined;
  const keepLocalConfirm = current?.confirmedLocally && fresh.status === 'SCHEDULED';
  return {
    ...current,
    ...fresh,
    status: keepLocalConfirm ? 'CONFIRMED' : fresh.status,
    facilityId,
    contactId: current?.contactId ?? contactId,
  };
}

/**
 * Refreshes the contact's appointments from the provider when our mirror of them is older than
 * `mirrorMaxAgeMs`. A provider failure leaves the mirror as it is: the list is then what we hold.
 */
export async function refreshMirror(ctx: MirrorContext): Promise<void> {
  const { store, facilityId, contactId } = ctx;
  const now = ctx.now().getTime();
  const last = await store.backend.kv.get<number>(refreshedKey(facilityId, contactId));
  if (last !== undefined && now - last < ctx.mirrorMaxAgeMs) return;
  const contact = await store.contacts.get(facilityId, contactId);
  if (!contact) return;
  const queries = [
    ...(contact.patientId ? [{ patientId: contact.patientId }] : []),
    ...(contact.temporaryPatientIds ?? []).map((t) => ({ temporaryPatientId: t })),
  ];
  if (queries.length === 0) return;
  const from = new Date(now).toISOString();
  let allOk = true;
  for (const q of queries) {
    const res = await ctx.provider.listAppointments({ ...q, from });
    if (!res.ok) {
      allOk = false;
      continue;
    }
    for (const appt of res.value) {
      await store.appointments.upsert(facilityId, appt.appointmentId, (cur) => mergeProviderAppointment(cur, appt, facilityId, contactId));
    }
  }
  if (allOk) await store.backend.kv.set(refreshedKey(facilityId, contactId), now);
}
