/** SMS channel (Twilio): webhook verification and parsing, rendering, rules, sending. */
export { createSmsInbound, createSmsStatusInbound, SMS_INBOUND_PATH, SMS_STATUS_PATH, type SmsInboundOptions } from './inbound.js';
export { createSmsSender, type SmsSenderOptions } from './send.js';
export { smsPermission } from './rules.js';
export { renderSmsReply, smsText, numberedChoice, DEFAULT_SMS_LIMITS, type SmsRendering, type SmsPart, type SmsRenderLimits } from './render.js';
export { isGsm7, segmentsOf, toGsmFriendly, SEGMENT_LIMITS, type SmsEncoding, type SegmentCount } from './gsm.js';
export {
  classifyKeyword,
  findOptOutInstructions,
  assertNoOptOutInstruction,
  OPT_OUT_KEYWORDS,
  OPT_IN_KEYWORDS,
  HELP_KEYWORDS,
  type KeywordKind,
} from './keywords.js';
export { twilioSignatureMatches, signTwilioRequest, readForm, type FormParams } from './verify.js';
export { parseIncomingSms, parseStatusCallback } from './parse.js';
export type * from './types.js';
export { MESSAGE_STATUSES, TWILIO_UNSUBSCRIBED_RECIPIENT } from './types.js';
