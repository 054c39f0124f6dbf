import type { Appointment, ProviderAppointment } from '../core/domain.js';
import type { CreateAppointmentInput, ProviderClient, ProviderResult } from '../core/provider.js';
import { ok } from '../core/result.js';
import type { Store } from '../store/types.js';
import { markUnsettled, samePatient, sameInstant, settleUnsettled, unsettledWrites, type UnsettledOp, type UnsettledWrite } from '../store/unsettled.js';

/**
 * The patient's writes (create, reschedule, cancel) when the provider's answer may be lost. A first call
 * whose answer is lost (timeout, 5xx, an unreadable 2xx) is recorded as unsettled. The call made again
 * for it (the conversation checks with the same key, or the patient asks for the same change anew)
 * first looks for the change already done: in our mirror (a provider webhook may have reported it), then
 * at the provider (GET /appointments for the patient), and only then asks the provider again with the
 * first call's Idempotency-Key (contract §1.4: the provider answers the first result and books nothing
 * new). Once the outcome is known the write is settled; a webhook for a still unsettled write is
 * announced to the patient (src/sync).
 */

export interface ReconcileContext {
  store: Store;
  provider: ProviderClient;
  facilityId: string;
  contactId: string;
  now: () => Date;
}

/** a write's answer was lost, not refused: it may have been done */
export const uncertain = (r: ProviderResult<unknown>): boolean =>
  !r.ok && (r.error.kind === 'unavailable' || (r.error.kind === 'invalid' && r.error.status !== undefined && r.error.status >= 200 && r.error.status < 300));

/** the provider's fields of a mirrored appointment */
const asProvider = (a: Appointment): ProviderAppointment => {
  const { appointmentId, status, start, end, calendarId, appointmentTypeId, patientId, temporaryPatientId, patient, queueNumber, updatedAt } = a;
  return { appointmentId, status, start, calendarId, appointmentTypeId, patient, ...(end ? { end } : {}), ...(patientId ? { patientId } : {}), ...(temporaryPatientId ? { temporaryPatientId } : {}), ...(queueNumber ? { queueNumber } : {}), ...(updatedAt ? { updatedAt } : {}) };
};

const day = (iso: string) => iso.slice(0, 10);

/** this contact's unsettled `op` sent with `key`, else one for the same change (`same`) */
async function pendingFor(ctx: ReconcileContext, op: UnsettledOp, key: string, same: (w: UnsettledWrite) => boolean): Promise<UnsettledWrite | undefined> {
  const mine = (await unsettledWrites(ctx.store.backend, ctx.facilityId)).filter((w) => w.contactId === ctx.contactId && w.op === op);
  return mine.find((w) => w.key === key) ?? mine.find(same);
}

/** Runs one write: the first call, or the check of an unsettled one; records or settles it by its answer. */
async function settleBy<T>(ctx: ReconcileContext, write: UnsettledWrite, found: T | undefined, call: (key: string) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
  if (found !== undefined) {
    await settleUnsettled(ctx.store.backend, ctx.facilityId, write.key);
    return ok(found);
  }
  const res = await call(write.key);
  if (uncertain(res)) await markUnsettled(ctx.store.backend, ctx.facilityId, write);
  else await settleUnsettled(ctx.store.backend, ctx.facilityId, write.key);
  return res;
}

export async function createReconciled(ctx: ReconcileContext, input: CreateAppointmentInput, key: string): Promise<ProviderResult<ProviderAppointment>> {
  const patient = { name: input.patient.name, phone: input.patient.phone };
  const isIt = (a: ProviderAppointment) => a.status !== 'CANCELED' && a.calendarId === input.calendarId && sameInstant(a.start, input.start) && samePatient(patient, a.patient);
  const earlier = await pendingFor(ctx, 'create', key, (w) => w.calendarId === input.calendarId && sameInstant(w.start, input.start) && samePatient(w.patient, patient));
  const write: UnsettledWrite = {
    key: earlier?.key ?? key, // the same booking asked again (a turn that timed out, a conversation started over): its first key
    op: 'create',
    contactId: ctx.contactId,
    calendarId: input.calendarId,
    start: input.start,
    ...(input.patientId ? { patientId: input.patientId } : {}),
    patient,
    at: earlier?.at ?? ctx.now().toISOString(),
  };
  let found: ProviderAppointment | undefined;
  if (earlier) {
    const mirrored = [...(await ctx.store.appointments.byDay(ctx.facilityId, day(input.start))), ...(await ctx.store.appointments.byContact(ctx.facilityId, ctx.contactId))];
    const m = mirrored.find(isIt);
    found = m ? asProvider(m) : undefined;
    if (!found && input.patientId) {
      const listed = await ctx.provider.listAppointments({ patientId: input.patientId, from: day(input.start) });
      if (listed.ok) found = listed.value.find(isIt);
    }
  }
  return settleBy(ctx, write, found, (k) => ctx.provider.createAppointment(input, k));
}

export async function rescheduleReconciled(ctx: ReconcileContext, appointmentId: string, start: string, key: string): Promise<ProviderResult<ProviderAppointment>> {
  const earlier = await pendingFor(ctx, 'reschedule', key, (w) => w.appointmentId === appointmentId && sameInstant(w.start, start));
  const current = await mirrored(ctx, appointmentId);
  const write: UnsettledWrite = {
    key: earlier?.key ?? key,
    op: 'reschedule',
    contactId: ctx.contactId,
    appointmentId,
    start,
    ...(current ? { calendarId: current.calendarId } : {}),
    ...(current?.patientId ? { patientId: current.patientId } : {}),
    ...(current?.temporaryPatientId ? { temporaryPatientId: current.temporaryPatientId } : {}),
    at: earlier?.at ?? ctx.now().toISOString(),
  };
  let found: ProviderAppointment | undefined;
  if (earlier) {
    if (current && current.status !== 'CANCELED' && sameInstant(current.start, start)) found = asProvider(current);
    if (!found && current) {
      const moved = (a: ProviderAppointment) =>
        a.status !== 'CANCELED' && sameInstant(a.start, start) && (a.appointmentId === current.appointmentId || (a.calendarId === current.calendarId && a.appointmentTypeId === current.appointmentTypeId));
      found = (await listedFor(ctx, current, day(start))).find(moved);
    }
  }
  return settleBy(ctx, write, found, (k) => ctx.provider.reschedule(appointmentId, start, k));
}

export async function cancelReconciled(ctx: ReconcileContext, appointmentId: string, reason: string | undefined, key: string): Promise<ProviderResult<ProviderAppointment>> {
  const earlier = await pendingFor(ctx, 'cancel', key, (w) => w.appointmentId === appointmentId);
  const current = await mirrored(ctx, appointmentId);
  const write: UnsettledWrite = {
    key: earlier?.key ?? key,
    op: 'cancel',
    contactId: ctx.contactId,
    appointmentId,
    ...(current ? { calendarId: current.calendarId } : {}),
    ...(current?.patientId ? { patientId: current.patientId } : {}),
    ...(current?.temporaryPatientId ? { temporaryPatientId: current.temporaryPatientId } : {}),
    at: earlier?.at ?? ctx.now().toISOString(),
  };
  let found: ProviderAppointment | undefined;
  if (earlier && current) {
    if (current.status === 'CANCELED') found = asProvider(current);
    else found = (await listedFor(ctx, current, day(current.start))).find((a) => a.appointmentId === current.appointmentId && a.status === 'CANCELED');
  }
  return settleBy(ctx, write, found, (k) => ctx.provider.cancel(appointmentId, reason, k));
}

/** our mirror's appointment for this id (following a reschedule that changed the id) */
async function mirrored(ctx: ReconcileContext, appointmentId: string): Promise<Appointment | undefined> {
  const id = (await ctx.store.appointments.resolveId(ctx.facilityId, appointmentId)) ?? appointmentId;
  return ctx.store.appointments.get(ctx.facilityId, id);
}

/** the provider's list of that appointment's patient, from a day on; empty when it cannot tell */
async function listedFor(ctx: ReconcileContext, a: Appointment, from: string): Promise<ProviderAppointment[]> {
  const q = a.patientId ? { patientId: a.patientId } : a.temporaryPatientId ? { temporaryPatientId: a.temporaryPatientId } : undefined;
  if (!q) return [];
  const listed = await ctx.provider.listAppointments({ ...q, from });
  return listed.ok ? listed.value : [];
}
