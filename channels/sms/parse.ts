import type { DeliveryReceipt } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import { classifyKeyword } from './keywords.js';
import type { FormParams } from './verify.js';

/** One value of a form parameter (the first, if Twilio ever repeated it). */
export const param = (params: FormParams, name: string): string | undefined => {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * An incoming SMS as our event: id = MessageSid, user = From (E.164), phone = From. A body that is exactly
 * one of Twilio's keywords becomes opt_out / opt_in / help (the text is kept so the engine may still read a
 * "YES" as an answer); everything else is an ordinary message, numbers included.
 */
export function parseIncomingSms(params: FormParams, facilityId: string, now: Date): Result<InboundMessage, string> {
  const id = param(params, 'MessageSid') ?? param(params, 'SmsMessageSid') ?? param(params, 'SmsSid');
  const from = param(params, 'From');
  const body = param(params, 'Body');
  if (!id) return err('missing MessageSid');
  if (!from) return err('missing From');
  if (body === undefined) return err('missing Body');
  return ok({
    id,
    facilityId,
    channel: 'sms',
    channelUserId: from,
    phone: from,
    sentAt: now.toISOString(),
    kind: classifyKeyword(body) ?? 'message',
    text: body,
  });
}

/** A status callback as a delivery receipt: Twilio's own status word, with ErrorCode when there is one. */
export function parseStatusCallback(params: FormParams, facilityId: string, now: Date): Result<DeliveryReceipt, string> {
  const id = param(params, 'MessageSid') ?? param(params, 'SmsSid');
  const status = param(params, 'MessageStatus') ?? param(params, 'SmsStatus');
  if (!id) return err('missing MessageSid');
  if (!status) return err('missing MessageStatus');
  const receipt: DeliveryReceipt = { facilityId, channel: 'sms', platformMessageId: id, status, at: now.toISOString() };
  const errorCode = param(params, 'ErrorCode');
  if (errorCode) receipt.errorCode = errorCode;
  const to = param(params, 'To');
  if (to) receipt.channelUserId = to;
  return ok(receipt);
}
