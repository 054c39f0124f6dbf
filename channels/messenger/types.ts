/**
 * Messenger Platform payloads, as Meta documents them (Graph API v25.0).
 *
 * Webhooks: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
 * Send API: https://developers.facebook.com/docs/messenger-platform/reference/send-api
 */

// ───────────────────────────── webhooks (inbound) ─────────────────────────────

/** The POST body of `/webhooks/messenger`. One delivery may batch several pages and events. */
export interface WebhookBody {
  /** always `page` for Messenger */
  object: 'page';
  entry: WebhookEntry[];
}

export interface WebhookEntry {
  /** the Page id: decides the facility */
  id: string;
  /** ms since epoch, when Meta built the entry */
  time: number;
  /** events for the app that owns the thread; Meta documents one item but may send more, so read them all */
  messaging?: MessagingEvent[];
  /** handover protocol: events seen while another app owns the thread (never answered) */
  standby?: MessagingEvent[];
}

/** Who sent an event: a person (PSID) or, for echoes, the Page. `user_ref` is for chat-plugin guests. */
export interface EventParty {
  id?: string;
  user_ref?: string;
}

interface EventBase {
  sender: EventParty;
  recipient: { id: string };
  /** ms since epoch (documented as a number; the postback reference shows a string of seconds, so both are read) */
  timestamp?: number | string;
}

/** `messages`: a person wrote or tapped a quick reply. */
export interface MessageEvent extends EventBase {
  message: {
    /** message id: our de-duplication key */
    mid: string;
    text?: string;
    /** set when the text came from a quick reply; for `user_phone_number` / `user_email` the payload IS the number / address */
    quick_reply?: { payload: string };
    reply_to?: { mid: string };
    attachments?: { type: string; payload?: unknown }[];
    /** `message_echoes`: a copy of what the Page sent */
    is_echo?: boolean;
    app_id?: number;
    metadata?: string;
  };
}

/** `messaging_postbacks`: a postback button, the Get Started button or a persistent-menu item. */
export interface PostbackEvent extends EventBase {
  postback: {
    /** present since v11.0; absent in older payloads */
    mid?: string;
    title?: string;
    payload: string;
    /** set when the thread was opened from an m.me link / ad / plugin with this tap */
    referral?: Referral;
  };
}

/** `messaging_referrals`: an existing thread re-opened from an m.me link, ad, or plugin. */
export interface ReferralEvent extends EventBase {
  referral: Referral;
}

export interface Referral {
  ref?: string;
  /** SHORTLINK, ADS, CUSTOMER_CHAT_PLUGIN … */
  source?: string;
  /** OPEN_THREAD */
  type?: string;
  ad_id?: string;
}

/** `message_deliveries`: Page messages reached the person. */
export interface DeliveryEvent extends EventBase {
  delivery: {
    /** may be absent (older clients); `watermark` always present */
    mids?: string[];
    /** every message sent before this ms timestamp was delivered */
    watermark: number;
  };
}

/** `message_reads`: the person read Page messages. */
export interface ReadEvent extends EventBase {
  read: {
    /** every message sent at or before this ms timestamp was read */
    watermark: number;
  };
}

export type MessagingEvent = MessageEvent | PostbackEvent | ReferralEvent | DeliveryEvent | ReadEvent;

/** A messaging item after classification: a discriminated union the parser switches on. */
export type ClassifiedEvent =
  | { kind: 'echo'; event: MessageEvent }
  | { kind: 'message'; event: MessageEvent }
  | { kind: 'postback'; event: PostbackEvent }
  | { kind: 'referral'; event: ReferralEvent }
  | { kind: 'delivery'; event: DeliveryEvent }
  | { kind: 'read'; event: ReadEvent }
  | { kind: 'other' };

// ───────────────────────────── Send API (outbound) ─────────────────────────────

/**
 * Why a message is sent. `MESSAGE_TAG` exists at Meta but is deliberately absent here: this service
 * never sends tagged messages (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE, HUMAN_AGENT).
 */
/** `MESSAGE_TAG` only with `tag: 'HUMAN_AGENT'`: a person's answer up to 7 days after the user's last message. */
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'UTILITY' | 'MESSAGE_TAG';

/** Quick replies: up to 13, `title` at most 20 characters, `payload` at most 1000. */
export type QuickReply =
  | { content_type: 'text'; title: string; payload: string }
  | { content_type: 'user_phone_number' }
  | { content_type: 'user_email' };

/** Postback button: `title` at most 20 characters, `payload` at most 1000. */
export interface PostbackButton {
  type: 'postback';
  title: string;
  payload: string;
}

/** Button template: `text` at most 640 characters, 1–3 buttons. */
export interface ButtonTemplatePayload {
  template_type: 'button';
  text: string;
  buttons: PostbackButton[];
}

/** What `renderReply` produces: one Send API `message` object each. */
export type MessengerMessage =
  | { text: string; quick_replies?: QuickReply[] }
  | { attachment: { type: 'template'; payload: ButtonTemplatePayload } };

/** A utility-message template send (page_utility_messaging). */
export interface UtilityTemplateMessage {
  template: {
    name: string;
    language: { code: string };
    components: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
}

/** POST /{page-id}/messages with a message. No `tag` field exists on purpose (see MessagingType). */
export interface SendMessageRequest {
  recipient: { id: string };
  messaging_type: MessagingType;
  /** with MESSAGE_TAG only */
  tag?: 'HUMAN_AGENT';
  message: MessengerMessage | UtilityTemplateMessage;
}

/** POST /{page-id}/messages with a sender action (sent alone, never with a message). */
export interface SenderActionRequest {
  recipient: { id: string };
  sender_action: 'typing_on' | 'typing_off' | 'mark_seen';
}

export interface SendApiSuccess {
  recipient_id?: string;
  message_id?: string;
}

/** Graph API error body. */
export interface GraphErrorBody {
  error: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    fbtrace_id?: string;
  };
}

// ───────────────────────────── Messenger Profile API ─────────────────────────────

export interface MessengerProfile {
  /** sent back as a `messaging_postbacks` event when the Get Started button is tapped */
  get_started?: { payload: string };
  /** welcome-screen text per locale; `default` required */
  greeting?: { locale: string; text: string }[];
  persistent_menu?: {
    locale: string;
    composer_input_disabled: boolean;
    call_to_actions: PostbackButton[];
  }[];
}
