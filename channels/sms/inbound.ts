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

const joinUrl = (base: string | undefined, path: string) => (base ? `${base.replace(/\/+$/, '')}${path}` : undefined);

/** `X-Twilio-Signature` is the base64 of an HMAC-SHA1 (20 bytes): 28 characters, one `=` of padding. */
const TWILIO_SIGNATURE = /^[A-Za-z0-9+/]{27}=$/;

/**
 * Authenticates before anything in the form is trusted. Twilio signs the URL it called plus every POST
 * parameter (sorted), so the form is read once, in linear time, the one field naming our number (`To` for
 * an incoming SMS, `From` for a status callback) picks the auth token, and the twilio package checks the
 * signature with it before any other use. A missing or malformed header is refused before the form is
 * read at all. A missing number, or one no facility serves, cannot be authenticated: it is refused as
 * bad_signature, exactly like a wrong signature (our numbers are public; which of them are configured is
 * not told to an unsigned caller). Only a signed request can then be a bad_request.
 */
function verified(req: RawRequest, byNumber: ReadonlyMap<string, FacilityConfig>, numberParam: 'To' | 'From', fallbackUrl: string | undefined): Lookup {
  if (!isFormBody(req)) return { ok: false, rejection: { kind: 'bad_request', message: 'expected application/x-www-form-urlencoded' } };
  const header = req.headers['x-twilio-signature']?.trim();
  if (!header || !TWILIO_SIGNATURE.test(header)) return { ok: false, rejection: { kind: 'bad_signature', message: 'X-Twilio-Signature missing or malformed' } };
  const params = readForm(req.rawBody);
  const number = param(params, numberParam)?.trim();
  const facility = number ? byNumber.get(number) : undefined;
  const sms = facility?.channels.sms;
  if (!facility || !sms) return { ok: false, rejection: { kind: 'bad_signature', message: `${numberParam} is missing or no facility's number` } };
  const url = req.publicUrl || fallbackUrl || '';
  if (!twilioSignatureMatches(sms.authToken, header, url, params)) {
    return { ok: false, rejection: { kind: 'bad_signature', message: 'X-Twilio-Signature wrong' } };
  }
  return { ok: true, facility, params };
}

function numbers(facilities: readonly FacilityConfig[]): ReadonlyMap<string, FacilityConfig> {
  const byNumber = new Map<string, FacilityConfig>();
  for (const f of facilities) if (f.channels.sms && !byNumber.has(f.channels.sms.from)) byNumber.set(f.channels.sms.from, f);
  return byNumber;
}

/** `POST /webhooks/sms`: an incoming SMS; the facility is the one whose number is `To`. */
export function createSmsInbound(facilities: readonly FacilityConfig[], opts: SmsInboundOptions = {}): ChannelInbound {
  const now = opts.now ?? (() => new Date());
  const byNumber = numbers(facilities);
  const fallback = joinUrl(opts.publicUrl, SMS_INBOUND_PATH);
  return {
    channel: 'sms',
    receive(req) {
      const found = verified(req, byNumber, 'To', fallback);
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
  const byNumber = numbers(facilities);
  const fallback = joinUrl(opts.publicUrl, SMS_STATUS_PATH);
  return {
    channel: 'sms',
    receive(req) {
      const found = verified(req, byNumber, 'From', fallback);
      if (!found.ok) return err(found.rejection);
      const receipt = parseStatusCallback(found.params, found.facility.id, now());
      if (!receipt.ok) return err({ kind: 'bad_request', message: receipt.error });
      return ok({ facilityId: found.facility.id, messages: [], receipts: [receipt.value] });
    },
  };
}
