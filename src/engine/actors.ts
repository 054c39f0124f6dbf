import { fromPromise } from 'xstate';
import type { Appointment } from '../core/domain.js';
import type { ProviderResult } from '../core/provider.js';
import { err, ok } from '../core/result.js';
import type { ActorInputs } from './flow.js';
import { idempotencyKey } from './idempotency.js';
import { refreshMirror, type MirrorContext } from './mirror.js';

export interface TurnActorContext extends MirrorContext {
  /** the inbox entry being processed: makes provider idempotency keys stable across re-runs */
  turnKey: string;
}

/** an injected actor never rejects (flow protocol): a throw becomes an `unavailable` error value */
function providerActor<I, T>(call: (input: I) => Promise<ProviderResult<T>>) {
  return fromPromise<ProviderResult<T>, I>(async ({ input }) => {
    try {
      return await call(input);
    } catch (e) {
      return err({ kind: 'unavailable' as const, message: e instanceof Error ? e.message : 'provider call failed' });
    }
  });
}

/**
 * The provider calls a flow may invoke, bound to one turn. The flow gives each write its idempotency key; when it
 * gives none, one is derived from the message and the call's rank in the turn, so replaying the same
 * message repeats the same keys.
 */
export function turnActors(ctx: TurnActorContext) {
  const counters = new Map<string, number>();
  /** new appointment id → the id it replaced, when a reschedule answered with a different id */
  const replacedIds = new Map<string, string>();
  const keyFor = (op: string) => {
    const n = (counters.get(op) ?? 0) + 1;
    counters.set(op, n);
    return idempotencyKey(`${ctx.facilityId}:${ctx.contactId}:${ctx.turnKey}:${op}:${n}`);
  };
  const p = ctx.provider;
  const keyOf = (given: string | undefined, op: string) => (given ? given : keyFor(op));
  const actors = {
    findPatient: providerActor((q: ActorInputs['findPatient']) => p.findPatient(q)),
    availability: providerActor((q: ActorInputs['availability']) => p.availability(q)),
    createAppointment: providerActor((q: ActorInputs['createAppointment']) => p.createAppointment(q.input, keyOf(q.idempotencyKey, 'create'))),
    reschedule: providerActor(async (q: ActorInputs['reschedule']) => {
      const res = await p.reschedule(q.appointmentId, q.start, keyOf(q.idempotencyKey, 'reschedule'));
      if (res.ok && res.value.appointmentId !== q.appointmentId) replacedIds.set(res.value.appointmentId, q.appointmentId);
      return res;
    }),
    cancel: providerActor((q: ActorInputs['cancel']) => p.cancel(q.appointmentId, q.reason, keyOf(q.idempotencyKey, 'cancel'))),
    confirm: providerActor((q: ActorInputs['confirm']) => p.confirm(q.appointmentId, keyOf(q.idempotencyKey, 'confirm'))),
    myAppointments: providerActor(async (_q: ActorInputs['myAppointments']): Promise<ProviderResult<Appointment[]>> => ok(await upcomingAppointments(ctx))),
  };
  return { actors, replacedIds };
}

/** the contact's upcoming, not cancelled appointments, soonest first, from a recently refreshed mirror */
export async function upcomingAppointments(ctx: TurnActorContext): Promise<Appointment[]> {
  await refreshMirror(ctx);
  const now = ctx.now().getTime();
  const all = await ctx.store.appointments.byContact(ctx.facilityId, ctx.contactId);
  const superseded = new Set(all.flatMap((a) => a.previousIds ?? []));
  return all
    .filter((a) => a.status !== 'CANCELED' && !superseded.has(a.appointmentId) && Date.parse(a.start) >= now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
