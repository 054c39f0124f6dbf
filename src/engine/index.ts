import type { AnyStateMachine } from 'xstate';
import type { FacilityConfig } from '../config/schema.js';
import type { Appointment, Calendar, Contact, LocaleCode } from '../core/domain.js';
import type { InboundMessage, OutboundMessage } from '../core/messages.js';
import type { ProviderClient } from '../core/provider.js';
import { createLogger, type Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { TURN_ACTOR_NAMES, turnActors } from './actors.js';
import { machineWithSlots } from './actor-slots.js';
import { recordAppointmentChange, type AppointmentChange } from './appointments.js';
import { applyContactPatch, ensureSender, toFlowContact, touchSender } from './contact.js';
import { toFlowFacility } from './facility.js';
import { conversationMachine, type FlowEmitted, type FlowEvent, type MessageDescriptor } from './flow.js';
import { recordAttention } from './attention.js';
import { attachBooking, markBooked } from '../identity/booking.js';
import { answerToPush, rememberPushedChoices } from './push-choices.js';
import { ENGINE_KEYS, renderReply, type RenderReply } from './render.js';
import { runFlowTurn } from './turn.js';

export type { AppointmentChange } from './appointments.js';
export type { RenderReply } from './render.js';
export { ENGINE_KEYS } from './render.js';

export interface EngineDeps {
  store: Store;
  facility(id: string): FacilityConfig | undefined;
  provider(facilityId: string): ProviderClient;
  calendars(facilityId: string): Promise<Calendar[]>;
  /** the outbox: an ordered batch, deduplicated by message id */
  deliver(msgs: OutboundMessage[]): Promise<void>;
  /** the conversation machine (tests give their own) */
  machine?: AnyStateMachine;
  render?: RenderReply;
  now?: () => Date;
  logger?: Logger;
  /** metrics hook: one call per processed inbound event */
  onTurn?: (t: { facilityId: string; contactId: string; ms: number }) => void;
  /** how long a turn may wait for the flow to settle (provider calls included); default 60 s */
  turnTimeoutMs?: number;
  /** how old our mirror of a contact's appointments may be before it is refreshed from the provider; default 5 min */
  mirrorMaxAgeMs?: number;
  /** a conversation turn begins (may call the provider); what it returns is called when the flow settled (e.g. a delayed typing indicator) */
  onTurnStart?: (msg: InboundMessage) => (() => void) | void;
  /** after a change the patient made in chat is in the mirror (reminders follow it) */
  onAppointmentChanged?: (appointment: Appointment) => Promise<void>;
  /**
   * how long a dead instance's hold on a contact outlives it (the lock is renewed while the turn runs);
   * the queue's lease, so another instance resumes the conversation as soon as the queue lets it. Default 15 s
   */
  lockTtlMs?: number;
  /** the patient confirmed "delete my data": called once this turn's replies are in the outbox */
  onErase?: (facilityId: string, contactId: string) => Promise<void>;
}

export interface Engine {
  /**
   * Runs one inbound event (the conversation queue's handler, which calls it in arrival order per chat
   * user): finds or creates the sender's contact, then the turn under the contact's lock. Safe to run
   * again after a crash: a committed turn is re-applied, not recomputed. Throws when the turn could not
   * be stored or applied, and the queue retries it. Returns what was sent in answer.
   */
  process(msg: InboundMessage): Promise<OutboundMessage[]>;
  /** a push (reminder, notice) offered these choices: a typed answer to it picks one */
  notePush(msg: OutboundMessage): Promise<void>;
}

/** One inbound event being processed for a known contact. */
interface InboxEntry {
  /** `${channel}:${messageId}`: unique per platform message */
  key: string;
  facilityId: string;
  contactId: string;
  msg: InboundMessage;
}

export const entryKey = (msg: Pick<InboundMessage, 'channel' | 'id'>): string => `${msg.channel}:${msg.id}`;

type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/**
 * One processed turn, written before any of its effects: the commit point. A re-run of the same inbound
 * event (after a crash) finds it and repeats the effects, which are idempotent, instead of feeding the
 * event to the flow a second time.
 */
interface TurnRecord {
  key: string;
  at: string;
  conversation: { action: 'save'; snapshot: unknown } | { action: 'keep' } | { action: 'delete' };
  patches: ContactPatch[];
  appointments: AppointmentChange[];
  /** reasons the flow handed the patient to staff */
  handoffs?: string[];
  /** the patient asked to delete their data */
  erase?: boolean;
  outbound: OutboundMessage[];
}

const turnRecordKey = (facilityId: string, contactId: string) => `engine:turn:${facilityId}:${contactId}`;

export function createEngine(deps: EngineDeps): Engine {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger ?? createLogger();
  const render = deps.render ?? renderReply;
  const turnTimeoutMs = deps.turnTimeoutMs ?? 60_000;

  const localeOf = (c: Contact, facility: FacilityConfig): LocaleCode => c.locale ?? facility.locale;

  function outboundFor(msg: InboundMessage, contactId: string, replies: { message: MessageDescriptor; locale: LocaleCode }[], timezone: string): OutboundMessage[] {
    return replies.map(({ message, locale }, n) => ({
      id: `${msg.channel}:${msg.id}:${n}`,
      facilityId: msg.facilityId,
      channel: msg.channel,
      channelUserId: msg.channelUserId,
      purpose: 'response',
      locale,
      reply: render(message, locale, timezone),
      contactId,
    }));
  }

  async function computeTurn(entry: InboxEntry, facility: FacilityConfig): Promise<TurnRecord> {
    const { msg, facilityId, contactId } = entry;
    const at = now();
    const base: TurnRecord = { key: entry.key, at: at.toISOString(), conversation: { action: 'keep' }, patches: [], appointments: [], outbound: [] };
    const sentAt = Number.isNaN(Date.parse(msg.sentAt)) ? base.at : msg.sentAt;
    const contact = await touchSender(store, contactId, msg, sentAt);
    const locale = localeOf(contact, facility);

    switch (msg.kind) {
      case 'opt_out':
      case 'opt_in':
      case 'subscribed':
      case 'unsubscribed':
        return base; // recorded on the contact by touchSender; the platform itself answers these
      case 'help':
        return { ...base, outbound: outboundFor(msg, contactId, [{ message: helpMessage(facility), locale }], facility.timezone) };
      case 'start':
        // Viber's conversation_started is answered by the webhook's own welcome body; anything sent
        // through send_message before the user subscribes is refused (and is not a subscription)
        if (msg.channel === 'viber') return base;
        break;
      case 'message':
        break;
    }

    const turnEnded = deps.onTurnStart?.(msg);
    const machine: AnyStateMachine = deps.machine ?? conversationMachine;
    const record = await store.conversations.get(facilityId, contactId);
    const expired = record !== undefined && at.getTime() - Date.parse(record.updatedAt) > facility.idleResetMinutes * 60_000;
    const { actors, replacedIds } = turnActors({
      store,
      provider: deps.provider(facilityId),
      facilityId,
      contactId,
      turnKey: entry.key,
      now,
      mirrorMaxAgeMs: deps.mirrorMaxAgeMs ?? 5 * 60_000,
      facility,
      channel: msg.channel,
      deliver: deps.deliver,
      render,
    });
    const pushedChoice = msg.choiceId ? undefined : await answerToPush(store.backend.kv, facilityId, contactId, msg.text, expired ? undefined : record?.updatedAt);
    const event: FlowEvent =
      msg.kind === 'start'
        ? { type: 'user.start', at: sentAt, messageId: msg.id }
        : { type: 'user.message', text: msg.text, choiceId: msg.choiceId ?? pushedChoice, phone: msg.phone, at: sentAt, messageId: msg.id };
    const input = { facility: toFlowFacility(facility), contact: toFlowContact(contact, msg.channel, await store.patients.ofContact(facilityId, contactId)), calendars: await deps.calendars(facilityId) };
    const result = await runFlowTurn({
      machine: machineWithSlots(machine, TURN_ACTOR_NAMES),
      calls: actors,
      input,
      snapshot: expired ? undefined : record?.snapshot,
      expired: expired ? record?.snapshot : undefined,
      event,
      timeoutMs: turnTimeoutMs,
    }).finally(() => turnEnded?.());

    if (!result.ok) {
      log.error({ facilityId, contactId, reason: result.reason, err: result.error instanceof Error ? result.error.message : String(result.error) }, 'conversation turn failed');
      // a timed-out turn keeps the step the patient was at; a broken one starts over next time
      const conversation = result.reason === 'timeout' ? base.conversation : ({ action: 'delete' } as const);
      const key = result.reason === 'timeout' ? ENGINE_KEYS.unavailable : ENGINE_KEYS.broken;
      return { ...base, conversation, outbound: outboundFor(msg, contactId, [{ message: { key }, locale }], facility.timezone) };
    }

    const replies: { message: MessageDescriptor; locale: LocaleCode }[] =
      result.restartedMidway && msg.kind === 'message' ? [{ message: { key: ENGINE_KEYS.sessionReset }, locale }] : [];
    const patches: ContactPatch[] = [];
    const appointments: AppointmentChange[] = [];
    const handoffs: string[] = [];
    let erase = false;
    let current = contact;
    for (const e of result.emitted) {
      if (e.type === 'reply') replies.push({ message: e.message, locale: e.locale ?? localeOf(current, facility) });
      else if (e.type === 'contact.patch') {
        patches.push(e.patch);
        current = applyContactPatch(current, e.patch, base.at);
      }
      else if (e.type === 'appointment.changed') {
        const previousId = replacedIds.get(e.appointment.appointmentId);
        appointments.push({ action: e.action, appointment: e.appointment, confirmedLocally: e.confirmedLocally, ...(previousId ? { previousId } : {}), ...(e.subject ? { subject: e.subject } : {}) });
      } else if (e.type === 'contact.erase') {
        erase = true;
      } else if (e.type === 'handoff') {
        log.info({ facilityId, contactId, reason: e.reason }, 'conversation handed off to staff');
        handoffs.push(e.reason);
      }
    }
    return {
      ...base,
      conversation: erase ? { action: 'delete' } : { action: 'save', snapshot: result.snapshot },
      patches,
      appointments,
      handoffs,
      ...(erase ? { erase } : {}),
      outbound: outboundFor(msg, contactId, replies, facility.timezone),
    };
  }

  async function applyTurn(entry: InboxEntry, turn: TurnRecord): Promise<void> {
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
    for (const change of turn.appointments) {
      await recordAppointmentChange(store, facilityId, contactId, change);
      if (change.action === 'created') {
        const contact = await store.contacts.get(facilityId, contactId);
        const facility = deps.facility(facilityId);
        if (contact && facility) {
          const patient = await attachBooking(store, facilityId, facility.country, contact, change.appointment, change.subject, turn.at);
          await markBooked(store, facilityId, change.appointment.appointmentId, patient, contactId);
        }
      }
      const stored = await store.appointments.get(facilityId, change.appointment.appointmentId);
      if (stored) await deps.onAppointmentChanged?.(stored);
      if (change.confirmedLocally) {
        await recordAttention(store.backend, { id: `${entry.key}:confirm:${change.appointment.appointmentId}`, facilityId, kind: 'confirmed_locally', contactId, channel: entry.msg.channel, at: turn.at, appointmentId: change.appointment.appointmentId });
      }
    }
    for (const [n, reason] of (turn.handoffs ?? []).entries()) {
      await recordAttention(store.backend, { id: `${entry.key}:handoff:${n}`, facilityId, kind: 'handoff', contactId, channel: entry.msg.channel, at: turn.at, reason });
    }
    if (turn.outbound.length) await deps.deliver(turn.outbound);
    if (turn.erase) await deps.onErase?.(facilityId, contactId);
  }

  async function processEntry(entry: InboxEntry): Promise<OutboundMessage[]> {
    const { facilityId, contactId } = entry;
    const facility = deps.facility(facilityId);
    if (!facility) {
      log.warn({ facilityId, channel: entry.msg.channel }, 'inbound event for an unknown facility dropped');
      return [];
    }
    const started = Date.now();
    const committed = await store.backend.kv.get<TurnRecord>(turnRecordKey(facilityId, contactId));
    let turn: TurnRecord;
    if (committed?.key === entry.key) {
      turn = committed;
      log.info({ facilityId, contactId }, 'resuming a turn interrupted before its effects were applied');
    } else {
      turn = await computeTurn(entry, facility);
      await store.backend.kv.set(turnRecordKey(facilityId, contactId), turn);
    }
    await applyTurn(entry, turn);
    deps.onTurn?.({ facilityId, contactId, ms: Date.now() - started });
    return turn.outbound;
  }

  const engine: Engine = {
    async notePush(out) {
      if (out.contactId && out.reply.choices?.length) await rememberPushedChoices(store.backend.kv, out.facilityId, out.contactId, out.reply.choices, now().toISOString());
    },

    async process(msg) {
      if (!deps.facility(msg.facilityId)) {
        log.warn({ facilityId: msg.facilityId, channel: msg.channel }, 'inbound event for an unknown facility dropped');
        return [];
      }
      const contact = await ensureSender(store, msg);
      const entry: InboxEntry = { key: entryKey(msg), facilityId: msg.facilityId, contactId: contact.id, msg };
      // the queue runs one event per chat user at a time; the lock covers a contact reached by two chat identities
      return store.locks.withLock(`conv:${msg.facilityId}:${contact.id}`, () => processEntry(entry), { ttlMs: deps.lockTtlMs ?? 15_000, waitMs: turnTimeoutMs * 4 });
    },
  };
  return engine;
}

/** The answer to SMS HELP/INFO: the clinic's name and how to reach staff, and no opt-out word. */
function helpMessage(facility: FacilityConfig): MessageDescriptor {
  return facility.staffContact
    ? { key: ENGINE_KEYS.help, params: { clinic: facility.name, contact: facility.staffContact } }
    : { key: ENGINE_KEYS.helpNoContact, params: { clinic: facility.name } };
}
