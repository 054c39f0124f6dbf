import type { Appointment, Patient, ProviderAppointment } from '../core/domain.js';
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
 * Refreshes the appointments of the patients this contact is verified for, when our mirror of them is
 * older than `mirrorMaxAgeMs`. Only verified patients: asking the provider for a claimed patient's
 * records would reveal what a typed phone or name does not entitle anyone to. A provider failure
 * leaves the mirror as it is: the list is then what we hold.
 */
export async function refreshMirror(ctx: MirrorContext, patients: Patient[]): Promise<void> {
  const { store, facilityId, contactId } = ctx;
  const now = ctx.now().getTime();
  const last = await store.mirrorRefreshes.lastRefreshed(facilityId, contactId);
  if (last !== undefined && now - last < ctx.mirrorMaxAgeMs) return;
  const queries = patients.flatMap((p) => [
    ...(p.patientId ? [{ patientId: p.patientId }] : []),
    ...(p.patientId ? [] : (p.temporaryPatientIds ?? []).map((t) => ({ temporaryPatientId: t }))),
  ]);
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
      const patient = patients.find((p) => (appt.patientId && p.patientId === appt.patientId) || (appt.temporaryPatientId && p.temporaryPatientIds?.includes(appt.temporaryPatientId)));
      await store.appointments.upsert(facilityId, appt.appointmentId, (cur) => {
        const next = mergeProviderAppointment(cur, appt, facilityId, contactId);
        return next && patient && !next.patientRef ? { ...next, patientRef: patient.id } : next;
      });
    }
  }
  if (allOk) await store.mirrorRefreshes.markRefreshed(facilityId, contactId, now);
}
