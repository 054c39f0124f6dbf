import type { ChannelInbound, InboundRejection, RawRequest } from '../../src/core/channel.js';
import { err, ok } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { param, parseIncomingSms, parseStatusCallback } from './parse.js';
import { readForm, twilioSignatureMatches, type FormParams } from './verify.js';

export interface SmsInboundOptions {
  /** used only when a request carries no `publicUrl` of its own: publicUrl + the route's path */
  publicUrl?: string;
  /** clock for `sentAt` / receipt times (Twilio's webhooks carry no timestamp) */
  now?: () => Date;
}

export const SMS_INBOUND_PATH = '/webhooks/sms';
export const SMS_STATUS_PATH = '/webhooks/sms/status';

type Lookup = { ok: true; facility: FacilityConfig; params: FormParams } | { ok: false; rejection: InboundRejection };

function isFormBody(req: RawRequest): boolean {
  const type = req.headers['content-type'];
  return type === undefined || type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Finds the facility by one of our numbers, then checks X-Twilio-Signature with its auth token. */
function verified(
  req: RawRequest,
  facilities: readonly FacilityConfig[],
  numberParam: 'To' | 'From',
  fallbackUrl: string | undefined,
): Lookup {
  if (!isFormBody(req)) return { ok: false, rejection: { kind: 'bad_request', message: 'expected application/x-www-form-urlencoded' } };
  const params = readForm(req.rawBody);
  const number = param(params, numberParam)?.trim();
  if (!number) return { ok: false, rejection: { kind: 'bad_request', message: `missing ${numberParam}` } };
  const facility = facilities.find((f) => f.channels.sms?.from === number);
  const sms = facility?.channels.sms;
  if (!facility || !sms) return { ok: false, rejection: { kind: 'unknown_facility', message: 'no facility serves this number' } };
  const url = req.publicUrl || fallbackUrl || '';
  if (!twilioSignatureMatches(sms.authToken, req.headers['x-twilio-signature'], url, params)) {
    return { ok: false, rejection: { kind: 'bad_signature', message: 'X-Twilio-Signature missing or wrong' } };
  }
  return { ok: true, facility, params };
}

const joinUrl = (base: string | undefined, path: string) => (base ? `${base.replace(/\/+$/, '')}${path}` : undefined);

/** `POST /webhooks/sms`: an incoming SMS; the facility is the one whose number is `To`. */
export function createSmsInbound(facilities: readonly FacilityConfig[], opts: SmsInboundOptions = {}): ChannelInbound {
  const now = opts.now ?? (() => new Date());
  return {
    channel: 'sms',
    receive(req) {
      const found = verified(req, facilities, 'To', joinUrl(opts.publicUrl, SMS_INBOUND_PATH));
      if (!found.ok) return err(found.rejection);
      const message = parseIncomingSms(found.params, found.facility.id, now());
      if (!message.ok) return err({ kind: 'bad_request', message: message.error });
      return ok({ facilityId: found.facility.id, messages: [message.value] });
    },
  };
}

/**
 * `POST /webhooks/sms/status`: a status callback for a message we sent; the facility is the one whose
 * number is `From`. Every MessageStatus is passed on as a receipt, in Twilio's own word.
 */
export function createSmsStatusInbound(facilities: readonly FacilityConfig[], opts: SmsInboundOptions = {}): ChannelInbound {
  const now = opts.now ?? (() => new Date());
  return {
    channel: 'sms',
    receive(req) {
      const found = verified(req, facilities, 'From', joinUrl(opts.publicUrl, SMS_STATUS_PATH));
      if (!found.ok) return err(found.rejection);
      const receipt = parseStatusCallback(found.params, found.facility.id, now());
      if (!receipt.ok) return err({ kind: 'bad_request', message: receipt.error });
      return ok({ facilityId: found.facility.id, messages: [], receipts: [receipt.value] });
    },
  };
}

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
