/**
 * Twilio Programmable Messaging payloads, as Twilio documents them.
 *
 * Incoming message webhook: https://www.twilio.com/docs/messaging/guides/webhook-request
 * Status callbacks:         https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
 *                           https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 * Message resource:         https://www.twilio.com/docs/messaging/api/message-resource
 * Webhook security:         https://www.twilio.com/docs/usage/webhooks/webhooks-security
 * Error 21610:              https://www.twilio.com/docs/api/errors/21610
 */

/** `application/x-www-form-urlencoded` parameters of an incoming SMS (Twilio may add more at any time). */
export interface IncomingSmsParams {
  MessageSid: string;
  /** deprecated duplicates of MessageSid */
  SmsSid?: string;
  SmsMessageSid?: string;
  AccountSid: string;
  MessagingServiceSid?: string;
  /** the sender, E.164 */
  From: string;
  /** our Twilio number, E.164: decides the facility */
  To: string;
  Body: string;
  NumMedia?: string;
  NumSegments?: string;
  SmsStatus?: string;
  ApiVersion?: string;
  FromCity?: string;
  FromState?: string;
  FromZip?: string;
  FromCountry?: string;
  ToCity?: string;
  ToState?: string;
  ToZip?: string;
  ToCountry?: string;
  [param: string]: string | undefined;
}

/** Every `MessageStatus` a Message can report (Message resource, Status values). */
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Parameters of a status callback request. */
export interface StatusCallbackParams {
  MessageSid: string;
  MessageStatus: MessageStatus | string;
  SmsSid?: string;
  SmsStatus?: string;
  AccountSid: string;
  /** our number for outbound messages */
  From: string;
  /** the patient */
  To: string;
  ApiVersion?: string;
  /** on failed / undelivered */
  ErrorCode?: string;
  /** YYMMDDhhmm from the carrier's DLR, on delivered / undelivered */
  RawDlrDoneDate?: string;
  MessagingServiceSid?: string;
  [param: string]: string | undefined;
}

/** The Message resource answered by `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (201). */
export interface TwilioMessageResource {
  sid: string;
  account_sid: string;
  status: MessageStatus | string;
  to: string;
  from: string | null;
  body: string;
  num_segments: string;
  direction: string;
  error_code: number | null;
  error_message: string | null;
  [field: string]: unknown;
}

/** A REST API error body. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string;
  status: number;
}

/** "Attempt to send to unsubscribed recipient": the number replied STOP (or another opt-out word). */
export const TWILIO_UNSUBSCRIBED_RECIPIENT = 21610;
