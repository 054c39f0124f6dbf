import type { ChannelName, LocaleCode } from './domain.js';

/**
 * One normalized inbound event, whatever the platform. Channels parse their payloads into these;
 * the engine and flows see nothing else.
 */
export interface InboundMessage {
  /** platform's message id: the de-duplication key (Messenger mid, Viber message_token, Twilio MessageSid) */
  id: string;
  facilityId: string;
  channel: ChannelName;
  /** PSID, Viber user id, E.164 phone, dev user id */
  channelUserId: string;
  /** ISO time the platform says the message was sent */
  sentAt: string;
  kind: InboundKind;
  text?: string;
  /** stable id of a choice the patient tapped (quick reply / postback / keyboard payload) */
  choiceId?: string;
  /** a phone number the platform shared (Messenger user_phone_number quick reply, Viber contact, SMS From) */
  phone?: string;
  /** display name the platform gave, if any (never logged) */
  displayName?: string;
  /** language hint from the platform */
  localeHint?: string;
  /** referral / deep-link ref */
  ref?: string;
}

export type InboundKind =
  | 'message' // text and/or choice
  | 'start' // get-started, conversation_started, referral
  | 'subscribed'
  | 'unsubscribed'
  | 'opt_out' // SMS STOP & co.
  | 'opt_in' // SMS START & co.
  | 'help'; // SMS HELP / INFO

export interface Choice {
  /** stable id, sent back by the platform when tapped */
  id: string;
  label: string;
}

/** Output by capability: channels decide how to render it (quick replies, keyboard, numbered text). */
export interface Reply {
  text: string;
  choices?: Choice[];
  /** a confirmation card: a title and label/value rows, shown above the choices */
  card?: { title: string; rows: { label: string; value: string }[] };
  /** the choices are a 0–10 scale whose labels are the numbers: a text-only channel lists none (the text asks for the number) */
  scale?: boolean;
}

/** Why a message is pushed: decides Messenger's messaging_type, Viber billing, quiet hours. */
/** `human`: typed by a staff member in a ticket (Messenger may carry it with the HUMAN_AGENT tag; never automated text). */
/** `staff-alert`: a text to a staff phone about a new ticket (no contact; never copied to another channel). */
/** `care`: a care workflow's offer (rebook nudge, survey): never outside a session window, never a fallback, never a call-list entry */
export type SendPurpose = 'response' | 'update' | 'reminder' | 'broadcast' | 'welcome' | 'verification' | 'human' | 'staff-alert' | 'care';

/** A reply addressed to someone, as the outbox holds it. */
export interface OutboundMessage {
  /** idempotency key: the same id is sent at most once */
  id: string;
  facilityId: string;
  channel: ChannelName;
  channelUserId: string;
  purpose: SendPurpose;
  locale: LocaleCode;
  reply: Reply;
  contactId?: string;
  /** for reminders/updates: which appointment it is about */
  appointmentId?: string;
}

export type SendOutcome =
  | { status: 'sent'; platformMessageId?: string; attempts: number }
  | { status: 'failed'; reason: string; code?: string; attempts: number; retryable: boolean }
  | { status: 'undeliverable'; reason: SendBlockReason };

/** Why a channel's rules forbid a send. */
export type SendBlockReason =
  | 'outside_window' // Messenger 24h, no utility template
  | 'not_subscribed' // Viber
  | 'opted_out' // SMS
  | 'no_channel'
  | 'quiet_hours'
  | 'rate_capped';
