import type Bottleneck from 'bottleneck';
import type { ChannelContext, ChannelSender } from '../../src/core/channel.js';
import type { OutboundMessage, SendOutcome } from '../../src/core/messages.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { callPlatform, type PlatformCallOptions } from '../../src/outbound/index.js';
import { DEFAULT_SMS_LIMITS, renderSmsReply, type SmsRenderLimits } from './render.js';
import { smsPermission } from './rules.js';
import { TWILIO_UNSUBSCRIBED_RECIPIENT, type TwilioErrorBody, type TwilioMessageResource } from './types.js';

export interface SmsSenderOptions {
  /** e.g. https://api.twilio.com (config `platformApis.twilio`) */
  apiBase: string;
  facilities: readonly FacilityConfig[];
  /** publicUrl + /webhooks/sms/status: Twilio posts every status change there */
  statusCallbackUrl?: string;
  limiter?: Bottleneck;
  retry?: Pick<PlatformCallOptions, 'maxAttempts' | 'timeoutMs' | 'initialDelayMs' | 'maxDelayMs'>;
  limits?: SmsRenderLimits;
  logger?: ChannelContext<unknown>['logger'];
}

const errorCodeOf = (body: unknown): number | undefined => {
  const code = (body as Partial<TwilioErrorBody> | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
};

/**
 * Sends through Twilio's Messages API, one request per rendered part, form-encoded with Basic auth
 * (AccountSid:AuthToken). 429 and 5xx are retried by callPlatform; 21610 (the number opted out) is a
 * non-retryable failure with `code: '21610'`, so the outbox can mark the number opted out.
 */
export function createSmsSender(opts: SmsSenderOptions): ChannelSender {
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const facilityOf = (id: string) => opts.facilities.find((f) => f.id === id);

  return {
    channel: 'sms',
    permission: smsPermission,
    async send(msg: OutboundMessage, contact, now): Promise<SendOutcome> {
      const allowed = smsPermission(msg, contact, now);
      if (!allowed.ok) return { status: 'undeliverable', reason: allowed.reason };
      const cfg = facilityOf(msg.facilityId)?.channels.sms;
      if (!cfg) return { status: 'undeliverable', reason: 'no_channel' };
      const rendering = renderSmsReply(msg.reply, opts.limits ?? DEFAULT_SMS_LIMITS);
      if (rendering.truncated) opts.logger?.warn({ facilityId: msg.facilityId, outboxId: msg.id, segments: rendering.segments }, 'sms reply truncated at the segment cap');
      const auth = `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`;
      const url = `${apiBase}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
      let attempts = 0;
      let firstSid: string | undefined;
      for (const [i, part] of rendering.parts.entries()) {
        const form = new URLSearchParams({ To: msg.channelUserId, From: cfg.from, Body: part.body });
        if (opts.statusCallbackUrl) form.set('StatusCallback', opts.statusCallbackUrl);
        const res = await callPlatform(
          { url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: form.toString() },
          { ...opts.retry, limiter: opts.limiter, priority: msg.purpose === 'verification' ? 0 : msg.purpose === 'broadcast' ? 9 : 5 },
        );
        attempts += res.attempts;
        if (!res.ok) {
          const code = errorCodeOf(res.body);
          opts.logger?.warn({ facilityId: msg.facilityId, outboxId: msg.id, httpStatus: res.status, code, part: i + 1, parts: rendering.parts.length }, 'sms send failed');
          return {
            status: 'failed',
            reason: code === TWILIO_UNSUBSCRIBED_RECIPIENT ? 'recipient unsubscribed (21610)' : res.reason,
            code: code !== undefined ? String(code) : undefined,
            attempts,
            retryable: code === TWILIO_UNSUBSCRIBED_RECIPIENT ? false : res.retryable,
          };
        }
        firstSid ??= (res.body as Partial<TwilioMessageResource> | undefined)?.sid;
      }
      return { status: 'sent', platformMessageId: firstSid, attempts };
    },
  };
}
