import type { OutboundMessage } from '../core/messages.js';
import { attachBooking, markBooked } from '../identity/booking.js';
import { recordAppointmentChange, type AppointmentChange } from './appointments.js';
import { recordAttention } from './attention.js';
import { computeTurn } from './compute.js';
import { applyContactPatch } from './contact.js';
import { applyTickets } from './tickets.js';
import type { EngineEnv, InboxEntry, TurnRecord } from './turn-record.js';

/**
 * One inbound event under its contact's lock: the turn is computed and committed once, then its effects
 * applied. A turn already committed for this event (a crash before its effects were all applied) is
 * re-applied, not recomputed.
 */
export async function processEntry(env: EngineEnv, entry: InboxEntry): Promise<OutboundMessage[]> {
  const { store, deps, log } = env;
  const { facilityId, contactId } = entry;
  const facility = deps.facility(facilityId);
  if (!facility) {
    log.warn({ facilityId, channel: entry.msg.channel }, 'inbound event for an unknown facility dropped');
    return [];
  }
  const started = Date.now();
  const committed = await store.turns.lastTurn<TurnRecord>(facilityId, contactId);
  let turn: TurnRecord;
  if (committed?.key === entry.key) {
    turn = committed;
    log.info({ facilityId, contactId }, 'resuming a turn interrupted before its effects were applied');
  } else {
    turn = await computeTurn(env, entry, facility);
    await store.turns.commit(facilityId, contactId, turn);
  }
  await applyTurn(env, entry, turn);
  deps.onTurn?.({ facilityId, contactId, ms: Date.now() - started });
  return turn.outbound;
}

/**
 * Applies a committed turn's effects, each idempotent so a re-run may repeat them: the conversation, the
 * contact, appointments and staff attention, then the replies into the outbox, and erasure last (once the
 * replies are queued).
 */
async function applyTurn(env: EngineEnv, entry: InboxEntry, turn: TurnRecord): Promise<void> {
  const { store, deps } = env;
  const { facilityId, contactId } = entry;
  if (turn.conversation.action === 'save') {
    const prev = await store.conversations.get(facilityId, contactId);
    await store.conversations.save({ facilityId, contactId, snapshot: turn.conversation.snapshot, updatedAt: turn.at, version: (prev?.version ?? 0) + 1 });
  } else if (turn.conversation.action === 'delete') {
    await store.conversations.delete(facilityId, contactId);
  }
  if (turn.patches.length) {
    await store.contacts.update(facilityId, contactId, (c) => turn.patches.reduce((acc, p) => applyContactPatch(acc, p, turn.at), c));
  }
  for (const change of turn.appointments) await applyAppointmentChange(env, entry, turn.at, change);
  for (const [n, reason] of (turn.handoffs ?? []).entries()) {
    await recordAttention(store, { id: `${entry.key}:handoff:${n}`, facilityId, kind: 'handoff', contactId, channel: entry.msg.channel, at: turn.at, reason });
  }
  for (const a of turn.surveys ?? []) {
    if (!(await store.surveys.answer(facilityId, contactId, a, turn.at))) continue;
    env.log.info({ facilityId, score: a.score, comment: a.comment !== undefined }, 'survey answered');
    if (a.score !== undefined) deps.onSurveyScore?.(facilityId, a.score);
  }
  await applyTickets(store, entry, turn, deps.onTicketOpened, deps.onTicketUrgent);
  if (turn.outbound.length) await deps.deliver(turn.outbound);
  if (turn.erase) await deps.onErase?.(facilityId, contactId);
}

/** Mirrors one appointment change, links a new booking to its patient, and flags a locally recorded confirmation. */
async function applyAppointmentChange(env: EngineEnv, entry: InboxEntry, at: string, change: AppointmentChange): Promise<void> {
  const { store, deps } = env;
  const { facilityId, contactId } = entry;
  const appointmentId = change.appointment.appointmentId;
  await recordAppointmentChange(store, facilityId, contactId, change);
  if (change.action === 'created') {
    const contact = await store.contacts.get(facilityId, contactId);
    const facility = deps.facility(facilityId);
    if (contact && facility) {
      const patient = await attachBooking(store, facilityId, facility.country, contact, change.appointment, change.subject, at);
      await markBooked(store, facilityId, appointmentId, patient, contactId);
    }
  }
  const stored = await store.appointments.get(facilityId, appointmentId);
  if (stored) await deps.onAppointmentChanged?.(stored);
  if (change.confirmedLocally) {
    await recordAttention(store, { id: `${entry.key}:confirm:${appointmentId}`, facilityId, kind: 'confirmed_locally', contactId, channel: entry.msg.channel, at, appointmentId });
  }
}
