import { randomUUID } from 'node:crypto';
import { PHONE_CHANNEL, type Appointment } from '../core/domain.js';
import type { ProviderResult } from '../core/provider.js';
import { err, ok } from '../core/result.js';
import type { FacilityConfig } from '../config/schema.js';
import type { OutboundMessage } from '../core/messages.js';
import { checkCode, issueCode, maskPhone } from '../identity/otp.js';
import { confirmPhone, verifiedPatients } from '../identity/verify.js';
import { toFlowContact } from './contact.js';
import type { ActorInputs, ActorOutputs, ListedAppointment, MessageDescriptor } from './flow.js';
import type { RenderReply } from './render.js';
import { idempotencyKey } from './idempotency.js';
import { refreshMirror, type MirrorContext } from './mirror.js';
import { cancelReconciled, createReconciled, rescheduleReconciled } from './reconcile.js';

export interface TurnActorContext extends MirrorContext {
  /** the inbox entry being processed: makes provider idempotency keys stable across re-runs */
  turnKey: string;
  facility: FacilityConfig;
  channel: OutboundMessage['channel'];
  /** the outbox: a one-time code goes out through it like any other message */
  deliver(msgs: OutboundMessage[]): Promise<void>;
  render: RenderReply;
}

/** an injected actor never rejects (flow protocol): a throw becomes an `unavailable` error value */
function providerActor<I, T>(call: (input: I) => Promise<ProviderResult<T>>) {
  return async (input: I): Promise<ProviderResult<T>> => {
    try {
      return await call(input);
    } catch (e) {
      return err({ kind: 'unavailable' as const, message: e instanceof Error ? e.message : 'provider call failed' });
    }
  };
}

/** every actor a flow may invoke (the machine is provided with a slot for each, once: ./actor-slots.ts) */
export const TURN_ACTOR_NAMES = ['findPatient', 'availability', 'createAppointment', 'reschedule', 'cancel', 'confirm', 'myAppointments', 'sendCode', 'checkCode'] as const;

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
    // writes whose answer may be lost: recorded, then checked (mirror, GET, same key) before anything is redone (./reconcile.ts)
    createAppointment: providerActor((q: ActorInputs['createAppointment']) => createReconciled(ctx, q.input, keyOf(q.idempotencyKey, 'create'))),
    reschedule: providerActor(async (q: ActorInputs['reschedule']) => {
      const res = await rescheduleReconciled(ctx, q.appointmentId, q.start, keyOf(q.idempotencyKey, 'reschedule'));
      if (res.ok && res.value.appointmentId !== q.appointmentId) replacedIds.set(res.value.appointmentId, q.appointmentId);
      return res;
    }),
    cancel: providerActor((q: ActorInputs['cancel']) => cancelReconciled(ctx, q.appointmentId, q.reason, keyOf(q.idempotencyKey, 'cancel'))),
    confirm: providerActor((q: ActorInputs['confirm']) => p.confirm(q.appointmentId, keyOf(q.idempotencyKey, 'confirm'))),
    myAppointments: providerActor(async (_q: ActorInputs['myAppointments']): Promise<ProviderResult<ListedAppointment[]>> => ok(await upcomingAppointments(ctx))),
    sendCode: async (input: ActorInputs['sendCode']): Promise<ActorOutputs['sendCode']> => {
      try {
        return await sendCode(ctx, input.phone);
      } catch {
        return { ok: false, reason: 'unavailable' };
      }
    },
    checkCode: async (input: ActorInputs['checkCode']): Promise<ActorOutputs['checkCode']> => {
      try {
        return await checkTypedCode(ctx, input.code, input.self);
      } catch {
        return { status: 'unavailable' };
      }
    },
  } satisfies Record<(typeof TURN_ACTOR_NAMES)[number], (input: never) => Promise<unknown>>;
  return { actors, replacedIds };
}

/**
 * The contact's upcoming, not cancelled appointments, soonest first, from a recently refreshed mirror:
 * the ones it is told about or booked here, and those of the patients it is verified for. Each names
 * whom it is for when that is not the contact itself.
 */
export async function upcomingAppointments(ctx: TurnActorContext): Promise<ListedAppointment[]> {
  const patients = await verifiedPatients(ctx.store, ctx.facilityId, ctx.contactId);
  await refreshMirror(ctx, patients);
  const now = ctx.now().getTime();
  const lists = [
    await ctx.store.appointments.byContact(ctx.facilityId, ctx.contactId),
    ...(await Promise.all(patients.flatMap((p) => [p.patientId, ...(p.temporaryPatientIds ?? [])].filter((x): x is string => !!x).map((id) => ctx.store.appointments.byPatientId(ctx.facilityId, id))))),
  ];
  const byId = new Map<string, Appointment>();
  for (const a of lists.flat()) byId.set(a.appointmentId, a);
  const all = [...byId.values()];
  const superseded = new Set(all.flatMap((a) => a.previousIds ?? []));
  const mine = await ctx.store.patients.ofContact(ctx.facilityId, ctx.contactId);
  const several = mine.length > 1;
  const personOf = (a: Appointment): string | undefined => {
    const p = mine.find((x) => x.id === a.patientRef || (a.patientId && x.patientId === a.patientId));
    const rel = p?.links.find((l) => l.contactId === ctx.contactId)?.relationship;
    if (!p?.name || (rel === 'self' && !several)) return undefined;
    return p.name.trim().split(/\s+/)[0];
  };
  return all
    .filter((a) => a.status !== 'CANCELED' && !superseded.has(a.appointmentId) && Date.parse(a.start) >= now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .map((a) => {
      const person = personOf(a);
      return person ? { ...a, person } : a;
    });
}

/** a fresh code to `phone` by SMS, through the outbox; only its hash is kept */
async function sendCode(ctx: TurnActorContext, phone: string): Promise<ActorOutputs['sendCode']> {
  if (!ctx.facility.channels[PHONE_CHANNEL] || !phone) return { ok: false, reason: 'unavailable' };
  const issued = await issueCode(ctx.store, ctx.facilityId, ctx.contactId, phone, ctx.now());
  if (!issued.ok) return { ok: false, reason: 'rate_limited' };
  const locale = ctx.facility.locale;
  const message: MessageDescriptor = { key: 'verify.sms', params: { clinic: ctx.facility.name, code: issued.code } };
  await ctx.deliver([
    {
      id: `otp:${ctx.contactId}:${randomUUID()}`,
      facilityId: ctx.facilityId,
      channel: PHONE_CHANNEL,
      channelUserId: phone,
      purpose: 'verification',
      locale,
      reply: ctx.render(message, locale, ctx.facility.timezone, ctx.facility.messages),
      contactId: ctx.contactId,
    },
  ]);
  return { ok: true, masked: maskPhone(phone) };
}

/** the typed code: when right, the phone is the contact's, with everything that follows from that */
async function checkTypedCode(ctx: TurnActorContext, typed: string, self?: { name?: string; dob?: string }): Promise<ActorOutputs['checkCode']> {
  const res = await checkCode(ctx.store, ctx.facilityId, ctx.contactId, typed, ctx.now());
  if (res.status !== 'verified') return res;
  const contact = await confirmPhone(ctx.store, ctx.facilityId, ctx.contactId, res.phone, 'code', ctx.now().toISOString(), self);
  const flow = toFlowContact(contact, ctx.channel, await ctx.store.patients.ofContact(ctx.facilityId, contact.id));
  return { status: 'verified', phone: res.phone, people: flow.people ?? [], ...(flow.selfRef ? { selfRef: flow.selfRef } : {}), ...(flow.patientId ? { patientId: flow.patientId } : {}) };
}
