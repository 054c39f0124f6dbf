/**
 * Viber REST Bot API payloads, as Viber documents them.
 *
 * Events (callbacks): https://creators.viber.com/docs/bots-api/events/conversation-started (and siblings:
 *   message, subscribed, unsubscribed, delivered, seen, failed, webhook)
 * Legacy reference (same shapes): https://developers.viber.com/docs/api/rest-bot-api/
 * send_message: https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 * Keyboards:    https://creators.viber.com/docs/bots-api/resources/messaging/keyboards
 * set_webhook:  https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 *
 * `message_token` is a 64-bit integer in the JSON; JavaScript numbers lose its last digits, so the
 * channel reads it from the raw text where exactness matters (see parse.ts).
 */

// ───────────────────────────── callbacks (inbound) ─────────────────────────────

/** The user object of `conversation_started` and `subscribed` (the "subscriber object"). */
export interface ViberUser {
  /** unique per user and per bot account */
  id: string;
  /** only when the webhook was set with send_name (we do not ask for it) */
  name?: string;
  avatar?: string;
  /** ISO 3166 alpha-2 */
  country?: string;
  /** the phone's language, e.g. "en" */
  language?: string;
  /** the highest API version the user's client supports */
  api_version?: number;
}

interface CallbackBase {
  /** ms since epoch */
  timestamp: number;
  /** 64-bit integer; see the note above */
  message_token: number | string;
  chat_hostname?: string;
}

/** What a user sent. Keyboard taps with `ActionType: reply` arrive as `text` carrying the button's ActionBody. */
export type ViberInboundMessage =
  | { type: 'text'; text: string; tracking_data?: string }
  | { type: 'contact'; contact: { name?: string; phone_number: string; avatar?: string }; text?: string; tracking_data?: string }
  | { type: 'picture' | 'video' | 'file' | 'sticker' | 'url' | 'location'; text?: string; media?: string; tracking_data?: string };

export interface MessageCallback extends CallbackBase {
  event: 'message';
  sender: ViberUser;
  message: ViberInboundMessage;
}

export interface SubscribedCallback extends CallbackBase {
  event: 'subscribed';
  user: ViberUser;
}

export interface UnsubscribedCallback extends CallbackBase {
  event: 'unsubscribed';
  user_id: string;
}

/** The user opened the chat (not a subscription). The answer's body may carry one welcome message. */
export interface ConversationStartedCallback extends CallbackBase {
  event: 'conversation_started';
  /** always "open" */
  type: string;
  /** deep-link `context` parameter, when the user came through one */
  context?: string;
  user: ViberUser;
  subscribed: boolean;
}

export interface DeliveredCallback extends CallbackBase {
  event: 'delivered';
  user_id: string;
}

export interface SeenCallback extends CallbackBase {
  event: 'seen';
  user_id: string;
}

export interface FailedCallback extends CallbackBase {
  event: 'failed';
  user_id: string;
  /** free-text reason */
  desc?: string;
}

/** Viber's availability check after set_webhook: answer 200, nothing else. */
export interface WebhookCallback extends CallbackBase {
  event: 'webhook';
}

export type ViberCallback =
  | MessageCallback
  | SubscribedCallback
  | UnsubscribedCallback
  | ConversationStartedCallback
  | DeliveredCallback
  | SeenCallback
  | FailedCallback
  | WebhookCallback;

export type ViberEventType = ViberCallback['event'];

// ───────────────────────────── send_message (outbound) ─────────────────────────────

/** Only API-level-1 parameters are used, so `min_api_version: 1` suffices for everything we send. */
export interface ViberKeyboardButton {
  /** 1–6, the button's width in a row of 6 */
  Columns: number;
  /** 1–2 */
  Rows: number;
  ActionType: 'reply';
  /** sent back as the user's text message when tapped */
  ActionBody: string;
  Text: string;
  TextSize?: 'small' | 'regular' | 'large';
}

export interface ViberKeyboard {
  Type: 'keyboard';
  DefaultHeight: boolean;
  Buttons: ViberKeyboardButton[];
}

export interface ViberSender {
  /** at most 28 characters */
  name: string;
  /** at most 100 KB; 720×720 recommended */
  avatar?: string;
}

/** A text message as we send it; the welcome message is the same without `receiver`. */
export interface ViberTextMessage {
  receiver?: string;
  type: 'text';
  text: string;
  sender: ViberSender;
  min_api_version: number;
  keyboard?: ViberKeyboard;
  tracking_data?: string;
}

/** send_message answers HTTP 200 in every case; `status` ≠ 0 is the error. */
export interface ViberSendResponse {
  status: number;
  status_message: string;
  message_token?: number;
  chat_hostname?: string;
  billing_status?: number;
}

/** The `status` codes of every API answer (https://developers.viber.com/docs/api/rest-bot-api/#error-codes). */
export const VIBER_STATUS = {
  ok: 0,
  invalidUrl: 1,
  invalidAuthToken: 2,
  badData: 3,
  missingData: 4,
  receiverNotRegistered: 5,
  receiverNotSubscribed: 6,
  publicAccountBlocked: 7,
  publicAccountNotFound: 8,
  publicAccountSuspended: 9,
  webhookNotSet: 10,
  receiverNoSuitableDevice: 11,
  tooManyRequests: 12,
  apiVersionNotSupported: 13,
  incompatibleWithVersion: 14,
  publicAccountNotAuthorized: 15,
  inboxMessageStateMismatch: 16,
} as const;

/** set_webhook request body. */
export interface ViberSetWebhookBody {
  url: string;
  event_types: Array<Exclude<ViberEventType, 'message' | 'webhook'>>;
  send_name: boolean;
  send_photo: boolean;
}
