import type { RedFlagCategory } from '../../flows/red-flags.js';
import type { FacilityConfig } from '../config/schema.js';
import type { Contact, LocaleCode } from '../core/domain.js';
import type { InboundMessage, OutboundMessage } from '../core/messages.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { AppointmentChange } from './appointments.js';
import type { FlowEmitted, MessageDescriptor } from './flow.js';
import type { EngineDeps } from './index.js';
import type { RenderReply } from './render.js';

/** The engine's deps with their defaults filled in: what the turn's steps share. */
export interface EngineEnv {
  deps: EngineDeps;
  store: Store;
  now: () => Date;
  log: Logger;
  render: RenderReply;
  turnTimeoutMs: number;
}

/** One inbound event being processed for a known contact. */
export interface InboxEntry {
  /** `${channel}:${messageId}`: unique per platform message */
  key: string;
  facilityId: string;
  contactId: string;
  msg: InboundMessage;
}

export type SurveyAnswer = Omit<Extract<FlowEmitted, { type: 'survey.answer' }>, 'type'>;

export type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/**
 * One processed turn, written before any of its effects: the commit point. A re-run of the same inbound
 * event (after a crash) finds it and repeats the effects, which are idempotent, instead of feeding the
 * event to the flow a second time.
 */
export interface TurnRecord {
  key: string;
  at: string;
  conversation: { action: 'save'; snapshot: unknown } | { action: 'keep' } | { action: 'delete' };
  patches: ContactPatch[];
  appointments: AppointmentChange[];
  /** reasons the flow handed the patient to staff */
  handoffs?: string[];
  /** an emergency phrase was answered: its category goes on the contact's ticket (the words go to its thread) */
  redFlag?: { category: RedFlagCategory };
  /** post-visit survey answers given (a score, a comment): kept for the contact's open survey */
  surveys?: SurveyAnswer[];
  /** the patient asked to delete their data */
  erase?: boolean;
  outbound: OutboundMessage[];
}

export interface TurnReply {
  message: MessageDescriptor;
  locale: LocaleCode;
}

export const localeOf = (c: Contact, facility: FacilityConfig): LocaleCode => c.locale ?? facility.locale;

/** The turn's replies as outbox messages, ids ranked within the inbound event (so a re-run repeats them). */
export function outboundFor(render: RenderReply, msg: InboundMessage, contactId: string, replies: TurnReply[], facility: Pick<FacilityConfig, 'timezone' | 'messages'>): OutboundMessage[] {
  return replies.map(({ message, locale }, n) => ({
    id: `${msg.channel}:${msg.id}:${n}`,
    facilityId: msg.facilityId,
    channel: msg.channel,
    channelUserId: msg.channelUserId,
    purpose: 'response',
    locale,
    reply: render(message, locale, facility.timezone, facility.messages),
    contactId,
  }));
}
