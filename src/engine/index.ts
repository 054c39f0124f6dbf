import type { ChannelCatalog } from '../core/channel.js';
import type { Ticket } from '../store/tickets.js';
import type { AnyStateMachine } from 'xstate';
import type { FacilityConfig } from '../config/schema.js';
import type { Appointment, Calendar } from '../core/domain.js';
import type { InboundMessage, OutboundMessage } from '../core/messages.js';
import type { ProviderClient } from '../core/provider.js';
import { createLogger, type Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { processEntry } from './commit.js';
import { ensureSender } from './contact.js';
import { renderReply, type RenderReply } from './render.js';
import type { EngineEnv, InboxEntry } from './turn-record.js';

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
  /** the channel registry: what an inbound event teaches about the contact, which platforms greet by themselves */
  channels: ChannelCatalog;
  /** a handoff opened a ticket for staff (the composition root schedules the unanswered-in-time notice) */
  onTicketOpened?: (ticket: Ticket) => Promise<void>;
  /** metrics hook: a post-visit survey score was recorded (once per survey) */
  onSurveyScore?: (facilityId: string, score: number) => void;
  /** an open ticket a red flag made urgent (a new urgent ticket is `onTicketOpened`) */
  onTicketUrgent?: (ticket: Ticket) => Promise<void>;
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
}

export const entryKey = (msg: Pick<InboundMessage, 'channel' | 'id'>): string => `${msg.channel}:${msg.id}`;

export function createEngine(deps: EngineDeps): Engine {
  const env: EngineEnv = {
    deps,
    store: deps.store,
    now: deps.now ?? (() => new Date()),
    log: deps.logger ?? createLogger(),
    render: deps.render ?? renderReply,
    turnTimeoutMs: deps.turnTimeoutMs ?? 60_000,
  };
  const { store, log, turnTimeoutMs } = env;
  const engine: Engine = {
    async process(msg) {
      if (!deps.facility(msg.facilityId)) {
        log.warn({ facilityId: msg.facilityId, channel: msg.channel }, 'inbound event for an unknown facility dropped');
        return [];
      }
      const contact = await ensureSender(store, msg);
      const entry: InboxEntry = { key: entryKey(msg), facilityId: msg.facilityId, contactId: contact.id, msg };
      // the queue runs one event per chat user at a time; the lock covers a contact reached by two chat identities
      return store.locks.withLock(`conv:${msg.facilityId}:${contact.id}`, () => processEntry(env, entry), { ttlMs: deps.lockTtlMs ?? 15_000, waitMs: turnTimeoutMs * 4 });
    },
  };
  return engine;
}
