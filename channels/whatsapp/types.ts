/**
 * WhatsApp Cloud API payloads, as Meta documents them (Graph API v25.0).
 *
 * Webhooks:    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview
 *              …/webhooks/reference/messages/{text,interactive,button,image,location,contacts,status}
 * Messages:    https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages
 *              (and the text, interactive list and template message pages next to it)
 * Errors:      https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 * Usernames:   https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids
 *
 * Every string Meta sends as a number-looking id (`wa_id`, `phone_number_id`, `timestamp`) is a JSON string.
 */
import type { WhatsAppConfig } from '../../src/config/schema.js';

// ───────────────────────────── webhooks (inbound) ─────────────────────────────

/** The POST body of `/webhooks/whatsapp`. One delivery may batch several entries, changes, messages and statuses. */
export interface WebhookBody {
  /** always `whatsapp_business_account` */
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

export interface WebhookEntry {
  /** the WhatsApp Business Account (WABA) id; not the phone number: that is `value.metadata.phone_number_id` */
  id: string;
  changes: WebhookChange[];
}

/**
 * One change. Only `messages` carries conversations and statuses; the other fields (`account_update`,
 * `message_template_status_update`, `user_preferences`, …) arrive on the same URL and are ignored here.
 */
export type WebhookChange = MessagesChange | OtherChange;

export interface MessagesChange {
  field: 'messages';
  value: MessagesValue;
}

/** any other field: read for its name only */
export interface OtherChange {
  field: string;
  value: unknown;
}

export interface MessagesValue {
  /** always `whatsapp` */
  messaging_product: 'whatsapp';
  /** which business phone number this is about: decides the facility */
  metadata: { display_phone_number: string; phone_number_id: string };
  /** the senders of `messages` (absent for statuses, and for failed statuses since the username rollout) */
  contacts?: WebhookContact[];
  messages?: WebhookMessage[];
  statuses?: WebhookStatus[];
  /** out-of-band errors not tied to one message */
  errors?: WebhookError[];
}

export interface WebhookContact {
  /** the user's WhatsApp id: their phone number's digits, no `+`. May be absent for a user who adopted a username (2026) */
  wa_id?: string;
  /** business-scoped user id (BSUID), e.g. `US.13491208655302741918`: present in every messages webhook since April 2026 */
  user_id?: string;
  /** the profile name the user set in WhatsApp (never logged); `username` once usernames roll out */
  profile?: { name?: string; username?: string };
  /** only with the identity change check enabled */
  identity_key_hash?: string;
}

/** `code`, `title`, `message`, `error_data.details`: Meta recommends acting on `code` and `details`, never on `title`. */
export interface WebhookError {
  code: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
  href?: string;
}

interface MessageBase {
  /** the sender's WhatsApp id (phone digits); absent for a username-only user (then `from_user_id`) */
  from?: string;
  /** the sender's BSUID */
  from_user_id?: string;
  /** `wamid.…`: our de-duplication key */
  id: string;
  /** seconds since the epoch, as a string */
  timestamp: string;
  /** set on replies: the message replied to (a tapped button names the message that carried it) */
  context?: { from?: string; id?: string; forwarded?: boolean; frequently_forwarded?: boolean };
  /** set for group messages (Groups API): never answered here */
  group_id?: string;
  /** Click-to-WhatsApp ad the thread was opened from */
  referral?: { source_url?: string; source_id?: string; source_type?: string; headline?: string; body?: string; ctwa_clid?: string };
  /** set on `unsupported` messages */
  errors?: WebhookError[];
}

/** A media object (the media itself is fetched by id with the access token; never done here). */
export interface WebhookMedia {
  id: string;
  mime_type?: string;
  sha256?: string;
  /** image, video and document only */
  caption?: string;
  /** document only */
  filename?: string;
  /** audio only: a voice note */
  voice?: boolean;
  /** sticker only */
  animated?: boolean;
  url?: string;
}

/** A contact card the user shared. */
export interface SharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  /** `wa_id` is set when that number is on WhatsApp */
  phones?: { phone?: string; wa_id?: string; type?: string }[];
}

/** Everything a user can send, discriminated by `type`. */
export type WebhookMessage =
  | (MessageBase & { type: 'text'; text: { body: string } })
  | (MessageBase & { type: 'interactive'; interactive: InteractiveReply })
  /** a quick-reply button of a template: `payload` is what the template send set (or the button text when none was) */
  | (MessageBase & { type: 'button'; button: { payload?: string; text: string } })
  | (MessageBase & { type: 'image'; image: WebhookMedia })
  | (MessageBase & { type: 'video'; video: WebhookMedia })
  | (MessageBase & { type: 'audio'; audio: WebhookMedia })
  | (MessageBase & { type: 'document'; document: WebhookMedia })
  | (MessageBase & { type: 'sticker'; sticker: WebhookMedia })
  | (MessageBase & { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string; url?: string } })
  | (MessageBase & { type: 'contacts'; contacts: SharedContact[] })
  /** an emoji on one of our messages (`emoji` absent when removed) */
  | (MessageBase & { type: 'reaction'; reaction: { message_id: string; emoji?: string } })
  /** the user opened the chat for the first time (welcome message requests) */
  | (MessageBase & { type: 'request_welcome' })
  /** the user changed their number, and similar */
  | (MessageBase & { type: 'system'; system: { body?: string; type?: string; wa_id?: string; new_wa_id?: string; customer?: string } })
  | (MessageBase & { type: 'order'; order: unknown })
  /** a type Cloud API cannot show (polls, view-once …): `errors[0].code` 131051 */
  | (MessageBase & { type: 'unsupported' });

export type WebhookMessageType = WebhookMessage['type'];

/** What a tap on an interactive message sends back. `id` is the id we put on the button or row. */
export type InteractiveReply =
  | { type: 'button_reply'; button_reply: { id: string; title: string } }
  | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } }
  /** a WhatsApp Flow's answer: not used here */
  | { type: 'nfm_reply'; nfm_reply: { name?: string; body?: string; response_json?: string } };

interface StatusBase {
  /** the `wamid` our send returned */
  id: string;
  /** seconds since the epoch, as a string */
  timestamp: string;
  /** the recipient's WhatsApp id (phone digits); may be absent for a send to a BSUID */
  recipient_id?: string;
  /** the recipient's BSUID */
  recipient_user_id?: string;
  /** the conversation / pricing blocks (billing): read, never acted on */
  conversation?: { id?: string; expiration_timestamp?: string; origin?: { type?: string } };
  pricing?: { billable?: boolean; pricing_model?: string; category?: string; type?: string };
  biz_opaque_callback_data?: string;
}

/** A status of a message we sent, discriminated by `status`. `read` may come without `delivered` before it. */
export type WebhookStatus =
  | (StatusBase & { status: 'sent' })
  | (StatusBase & { status: 'delivered' })
  | (StatusBase & { status: 'read' })
  /** a voice message was played */
  | (StatusBase & { status: 'played' })
  /** asynchronous errors: 131047 (outside the window), 131026 (undeliverable), 131050 (stopped marketing), … */
  | (StatusBase & { status: 'failed'; errors?: WebhookError[] });

// ───────────────────────────── Messages API (outbound) ─────────────────────────────

/** Interactive reply buttons: 1–3 buttons, `title` ≤ 20 characters and unique, `id` ≤ 256 without leading/trailing spaces. */
export interface ReplyButton {
  type: 'reply';
  reply: { id: string; title: string };
}

/** A list row: `id` ≤ 200, `title` ≤ 24, `description` ≤ 72. At most 10 rows over all sections. */
export interface ListRow {
  id: string;
  title: string;
  description?: string;
}

/** One section; `title` (≤ 24) is required only when there are several. */
export interface ListSection {
  title?: string;
  rows: ListRow[];
}

export type InteractiveContent =
  /** `body.text` ≤ 1024 */
  | { type: 'button'; body: { text: string }; footer?: { text: string }; action: { buttons: ReplyButton[] } }
  /** `body.text` ≤ 1024, `action.button` (the label that opens the list) ≤ 20 */
  | { type: 'list'; body: { text: string }; footer?: { text: string }; action: { button: string; sections: ListSection[] } };

/** A template component's text parameter: no new lines, no tabs, no more than 4 consecutive spaces, never empty. */
export interface TextParameter {
  type: 'text';
  text: string;
}

export interface TemplateContent {
  /** the approved template's name */
  name: string;
  /** its language code exactly as approved (`en`, `en_US`, `fil`, `id` …) */
  language: { code: string };
  components?: { type: 'body'; parameters: TextParameter[] }[];
}

/** What `renderReply` produces: the content of one Messages API request, without its recipient. */
export type WhatsAppMessage =
  /** `body` ≤ 4096 characters */
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | { type: 'interactive'; interactive: InteractiveContent }
  | { type: 'template'; template: TemplateContent };

/**
 * `POST /{phone-number-id}/messages`. `to` is a phone number (digits, `+` optional); `recipient` a BSUID, for a
 * user whose number Meta withholds (when both are set, `to` wins).
 */
export type SendMessageRequest = {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to?: string;
  recipient?: string;
} & WhatsAppMessage;

/** `POST /{phone-number-id}/messages` marking an inbound message (and those before it) read; optionally "typing…" for up to 25 s. */
export interface MarkReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

/** A 200 of the Messages API. `messages[0].id` is the `wamid` statuses will name. */
export interface SendMessageSuccess {
  messaging_product: 'whatsapp';
  contacts?: { input: string; wa_id?: string; user_id?: string }[];
  messages?: { id: string; message_status?: 'accepted' | 'held_for_quality_assessment' | 'paused' }[];
}

/** Graph API error body (synchronous errors of the Messages API). */
export interface GraphErrorBody {
  error: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { messaging_product?: string; details?: string };
    fbtrace_id?: string;
  };
}

// ───────────────────────────── our side ─────────────────────────────

/** One facility's WhatsApp number, as the inbound and the sender read it (`whatsappNumbers` builds them from the facilities). */
export interface WhatsAppFacility {
  id: string;
  config: WhatsAppConfig;
  /** ISO 3166 country, for a shared contact's number written without a country code (when known) */
  country?: string;
}
