import type Bottleneck from 'bottleneck';
import type { ChannelContext, ChannelSender } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendOutcome } from '../../src/core/messages.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { callPlatform, type PlatformCallOptions } from '../../src/outbound/index.js';
import { viberTokenKey } from './parse.js';
import { renderViberReply } from './render.js';
import { countViberSend, UnansweredCounter, viberPermission } from './rules.js';
import { VIBER_STATUS, type ViberSendResponse } from './types.js';

export interface ViberSenderOptions {
  /** e.g. https://chatapi.viber.com/pa (config `platformApis.viber`) */
  apiBase: string;
  facilities: readonly FacilityConfig[];
  limiter?: Bottleneck;
  retry?: Pick<PlatformCallOptions, 'maxAttempts' | 'timeoutMs' | 'initialDelayMs' | 'maxDelayMs'>;
  logger?: ChannelContext<unknown>['logger'];
}

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(VIBER_STATUS).map(([k, v]) => [v, k]));

/** Viber statuses worth another try later: rate control, and states that clear up on Viber's side. */
const RETRYABLE_STATUS = new Set<number>([VIBER_STATUS.tooManyRequests, VIBER_STATUS.inboxMessageStateMismatch]);

type PartOutcome = { ok: true; token?: string; attempts: number } | { ok: false; outcome: Extract<SendOutcome, { status: 'failed' }> };

/**
 * Sends through `POST {apiBase}/send_message`. Viber answers HTTP 200 with `status` ≠ 0 on errors; those
 * become failed outcomes carrying the status number as `code` (6 receiverNotSubscribed: not retryable, the
 * outbox should mark the contact unsubscribed; 12 tooManyRequests: retryable).
 */
export function createViberSender(opts: ViberSenderOptions): ChannelSender & { readonly unanswered: UnansweredCounter } {
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const unanswered = new UnansweredCounter();
  const facilityOf = (id: string) => opts.facilities.find((f) => f.id === id);

  const permission = (msg: OutboundMessage, contact: Contact | undefined, now: Date) =>
    viberPermission(msg, contact, now, unanswered.count(msg.facilityId, msg.channelUserId, contact?.channels?.viber?.lastInboundAt, now));

  async function sendPart(authToken: string, body: object): Promise<PartOutcome> {
    const res = await callPlatform(
      { url: `${apiBase}/send_message`, method: 'POST', headers: { 'X-Viber-Auth-Token': authToken }, body: JSON.stringify(body) },
      { ...opts.retry, limiter: opts.limiter },
    );
    if (!res.ok) return { ok: false, outcome: { status: 'failed', reason: res.reason, attempts: res.attempts, retryable: res.retryable } };
    const answer = res.body as Partial<ViberSendResponse> | undefined;
    const status = typeof answer?.status === 'number' ? answer.status : undefined;
    if (status === VIBER_STATUS.ok) {
      return { ok: true, token: answer?.message_token !== undefined ? viberTokenKey(answer.message_token) : undefined, attempts: res.attempts };
    }
    const name = status !== undefined ? (NAMES[status] ?? answer?.status_message ?? 'unknown') : 'malformed answer';
    return {
      ok: false,
      outcome: {
        status: 'failed',
        reason: `viber status ${status ?? '?'} ${name}`,
        code: status !== undefined ? String(status) : undefined,
        attempts: res.attempts,
        retryable: status !== undefined && RETRYABLE_STATUS.has(status),
      },
    };
  }

  return {
    channel: 'viber',
    unanswered,
    permission,
    async send(msg, contact, now): Promise<SendOutcome> {
      const allowed = permission(msg, contact, now);
      if (!allowed.ok) return { status: 'undeliverable', reason: allowed.reason };
      const cfg = facilityOf(msg.facilityId)?.channels.viber;
      if (!cfg) return { status: 'undeliverable', reason: 'no_channel' };
      const messages = renderViberReply(msg.reply, cfg);
      let attempts = 0;
      let firstToken: string | undefined;
      for (const [i, m] of messages.entries()) {
        const r = await sendPart(cfg.authToken, { ...m, receiver: msg.channelUserId });
        if (!r.ok) {
          opts.logger?.warn({ facilityId: msg.facilityId, outboxId: msg.id, code: r.outcome.code, part: i + 1, parts: messages.length }, 'viber send failed');
          return { ...r.outcome, attempts: attempts + r.outcome.attempts };
        }
        attempts += r.attempts;
        firstToken ??= r.token;
        unanswered.record(msg.facilityId, msg.channelUserId, contact?.channels?.viber?.lastInboundAt, now);
        countViberSend(allowed.mode);
      }
      return { status: 'sent', platformMessageId: firstToken, attempts };
    },
  };
}
