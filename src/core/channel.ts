import type { ChannelName, ChannelState, Contact } from './domain.js';
export type { ChannelState } from './domain.js';
import type { InboundMessage, OutboundMessage, Reply, SendBlockReason, SendOutcome } from './messages.js';
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

/** What an inbound event or a send outcome teaches a channel about its contact. */
export type ChannelLesson =
  | { kind: 'address'; userId: string }
  | { kind: 'inbound'; message: InboundMessage; at: string }
  | { kind: 'opted_out'; at: string };

/** The plumbing a channel module is built with: the facilities, its API base, its rate limiter, a logger. */
export interface ChannelContext<Facility> {
  /** every facility that configured this channel (the module reads its own block with `configOf`) */
  facilities: readonly Facility[];
  /** `platformApis.<name>` from the config (tests point it at a fake) */
  apiBase: string;
  /** `rateLimits.<name>`: messages per second; the module spaces every attempt of every send to it */
  perSecond: number;
  /** where the platform reaches us (status callbacks); undefined when not configured */
  publicUrl: string | undefined;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** a user-facing string (the module holds none): the facility's locale, or the platform's language hint */
  text(facilityId: string, key: string, hint?: string): string;
  /** the app's clock, for times a platform does not send (Twilio's webhooks carry no timestamp) */
  now?: () => Date;
}

/** One HTTP route a channel answers, relative to the server root. */
export interface ChannelRoute {
  method: 'GET' | 'POST';
  /** Koa router path: '/webhooks/messenger', '/webhooks/viber/:facilityId' */
  path: string;
  /** the route's name in metrics and logs (default: the channel's name) */
  label?: string;
  /** POST: raw-body limit in bytes, enforced before anything is read */
  maxBytes?: number;
  /** POST: verify + parse; the route param `facilityId` (if any) is passed on */
  inbound?: ChannelInbound;
  /** POST: the body of a 200 when no `responseBody` is given (Messenger's EVENT_RECEIVED, an empty TwiML) */
  ack?: { type: string; body: string };
  /** GET: a platform's subscription handshake (Messenger's and WhatsApp's hub.challenge) */
  handshake?: (query: Record<string, string | undefined>) => { ok: true; challenge: string } | { ok: false; status: 400 | 403 };
}

/** One message of a reply as a channel renders it, for staff to see before a broadcast goes out. */
export interface PreviewPart {
  /** the text as the patient sees it (a card's lines and numbered choices included where the channel writes them) */
  text: string;
  /** what the patient can tap under it: quick replies, keyboard or reply buttons, a list's rows */
  buttons?: string[];
  /** SMS: the segments this part is billed as, and their encoding */
  segments?: number;
  encoding?: string;
  /** the channel drops what follows this part (SMS: the reply's segment cap) */
  truncated?: boolean;
}

/**
 * How a patient answers a reply's choices on a channel: `tap` a button or quick reply, type the `number` of a
 * numbered line (SMS), or `both`. The engine hands it to the conversation (FlowContact.replyStyle), which words
 * its "tap an option or reply with its number" hint to suit it without knowing the channel.
 */
export type ReplyStyle = 'tap' | 'number' | 'both';

/** A channel as it runs: its routes and its sender (plus hooks the engine may use). */
export interface ChannelRuntime {
  routes: ChannelRoute[];
  sender: ChannelSender;
  /** a turn began for this user: show "typing" if it runs long; the returned function stops it */
  onTurnStart?(facilityId: string, userId: string): (() => void) | undefined;
}

/**
 * Everything about one platform, in `channels/<name>/`, listed once in `channels/index.ts`. The server, the
 * outbox, sync and the config loop over the registry; nothing outside `channels/` names a platform.
 */
export interface ChannelModule<Facility = unknown> {
  readonly name: ChannelName;
  /** the key of its API base in `platformApis` (Twilio's is 'twilio'); its rate limit is `rateLimits.<name>` */
  readonly apiKey: string;
  /** every path it may serve: answered 401 (like an unknown facility) where no facility configured the channel */
  readonly routePaths: readonly string[];
  /** whether this facility configured the channel (its block `channels.<name>`) */
  configured(facility: Facility): boolean;
  /** the channel's addresses are E.164 phones (a message from one proves it; a verified phone reaches it) */
  readonly addressIsPhone?: boolean;
  /** may carry a notice another channel may not (SMS behind a closed Messenger window); lower comes first */
  readonly fallbackRank?: number;
  /** the order in which a notice looks for a channel that reaches the contact; lower first */
  readonly reachRank: number;
  /** how its patients answer choices (default `both`): the conversation's hint names only what works here */
  readonly replyStyle?: ReplyStyle;
  /** the platform's webhook answer greets a new user (Viber's conversation_started): a `start` gets nothing more */
  readonly greetsInWebhook?: boolean;
  /** keep the platform ids of what was sent, for read receipts that name a watermark instead of ids */
  readonly keepsSentIds?: boolean;
  /** this contact's state here, from what an event or an outcome taught */
  learn(state: ChannelState | undefined, lesson: ChannelLesson): ChannelState;
  /** whether a send outcome says the user opted out / blocked us (Twilio 21610, WhatsApp 131050) */
  optedOut?(outcome: SendOutcome): boolean;
  /** whether a broadcast to this contact now would start a conversation the platform counts (Viber bot-initiated) */
  botInitiated?(contact: Contact, now: Date): boolean;
  /** a reply as this channel renders it in a session for this facility (pure; the broadcast dry run shows it) */
  preview?(reply: Reply, facility: Facility): PreviewPart[];
  create(ctx: ChannelContext<Facility>): ChannelRuntime;
  /** what `npx frontdesk setup-webhooks` does for a facility: calls to the platform, and steps only a person can take */
  setup?(facility: Facility, publicUrl: string, apiBase: string): ChannelSetup;
}

/** One platform call of a channel's setup (tokens only in headers or masked query parameters). */
export interface SetupCall {
  description: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ChannelSetup {
  calls: SetupCall[];
  /** what an operator does in the platform's dashboard (nothing in the config can do it) */
  manual?: string[];
}

/** The contact's state on a channel, if it has one. */
export const channelState = (c: Contact | undefined, channel: ChannelName): ChannelState | undefined => c?.channels?.[channel];

/** What a channel without rules of its own (the dev chat) learns: the address, and when the contact wrote. */
export function learnAddress(state: ChannelState | undefined, lesson: ChannelLesson): ChannelState {
  switch (lesson.kind) {
    case 'address':
      return { ...state, userId: lesson.userId };
    case 'inbound':
      return { ...state, userId: lesson.message.channelUserId, lastInboundAt: lesson.at };
    case 'opted_out':
      return { userId: '', ...state, optedOut: true };
  }
}

/** The registry as the other rooms see it (they are handed it; only the composition root imports `channels/`). */
export interface ChannelCatalog {
  get(name: ChannelName): ChannelModule | undefined;
  /** every registered module, in reach order (the order a notice tries channels in) */
  readonly all: readonly ChannelModule[];
}
