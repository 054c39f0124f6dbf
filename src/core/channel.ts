import type { ChannelName, Contact } from './domain.js';
import type { InboundMessage, OutboundMessage, SendBlockReason, SendOutcome } from './messages.js';
import type { Result } from './result.js';

/** The HTTP request as a channel sees it: raw bytes (for the signature) and headers. */
export interface RawRequest {
  rawBody: Buffer;
  /** lower-cased header names */
  headers: Record<string, string | undefined>;
  /** the URL the platform called, as the platform saw it (publicUrl + path + query): Twilio signs it */
  publicUrl: string;
  query: Record<string, string | undefined>;
}

/**
 * Why an inbound request is refused. Maps to 401 / 400 / 404. Before the request is authenticated only
 * `bad_signature` may be given (also for a page / number / facility that cannot be authenticated, so an
 * unsigned caller cannot tell them apart); `unknown_facility`, and `bad_request` for anything read from
 * the body, come after it (a wrong Content-Type may be a `bad_request` at once: it says nothing of the config).
 */
export type InboundRejection =
  | { kind: 'bad_signature'; message: string }
  | { kind: 'bad_request'; message: string }
  | { kind: 'unknown_facility'; message: string };

/** What parsing a verified request yields: events to process, and lifecycle events the channel records itself. */
export interface ParsedInbound {
  facilityId: string;
  messages: InboundMessage[];
  /** platform-level receipts (delivered / seen / failed / status callbacks): update send records, no conversation */
  receipts?: DeliveryReceipt[];
  /** a body to answer the webhook with instead of an empty 200 (Viber conversation_started welcome) */
  responseBody?: unknown;
}

export interface DeliveryReceipt {
  facilityId: string;
  channel: ChannelName;
  platformMessageId: string;
  status: string; // platform's own word: delivered, read, seen, failed, sent, queued, undelivered …
  at: string;
  errorCode?: string;
  channelUserId?: string;
}

/** A channel's inbound half: verify the raw body, then parse it. */
export interface ChannelInbound {
  readonly channel: ChannelName;
  /** verifies and parses; a verification failure changes nothing */
  receive(req: RawRequest, routeFacilityId?: string): Result<ParsedInbound, InboundRejection>;
}

export type SendPermission =
  | { ok: true; mode: 'session' | 'utility' | 'standard' }
  | { ok: false; reason: SendBlockReason };

/** A channel's outbound half. `send` never throws: every outcome is a value. */
export interface ChannelSender {
  readonly channel: ChannelName;
  /** the platform's rules: may this message go to this contact now, and how? */
  permission(msg: OutboundMessage, contact: Contact | undefined, now: Date): SendPermission;
  send(msg: OutboundMessage, contact: Contact | undefined, now: Date): Promise<SendOutcome>;
}
