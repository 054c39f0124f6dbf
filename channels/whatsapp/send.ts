import { compact } from '../../src/core/compact.js';
import { readGraphError } from '../../src/core/graph-error.js';
import type { ChannelSender } from '../../src/core/channel.js';
import type { Contact, LocaleCode } from '../../src/core/domain.js';
import type { OutboundMessage, SendOutcome } from '../../src/core/messages.js';
import { callPlatform, type Limiter, type PlatformCallOptions, type PlatformResponse } from '../../src/outbound/index.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { sendTarget, whatsappNumbers } from './parse.js';
import { renderReply, renderTemplate } from './render.js';
import { permission, planSend, type SendPlan } from './rules.js';
import type { MarkReadRequest, SendMessageRequest, SendMessageSuccess, WhatsAppFacility, WhatsAppMessage } from './types.js';

export interface WhatsAppSenderOptions {
  /** `platformApis.whatsapp`, e.g. https://graph.facebook.com/v25.0 */
  apiBase: string;
  facilities: readonly FacilityConfig[];
  /** spaces every attempt (retries included) to `rateLimits.whatsapp` (a Bottleneck, or anything that schedules) */
  limiter?: Limiter;
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  /** per attempt */
  timeoutMs?: number;
  /** the label of the button that opens a list, in the message's language */
  listButtonLabel?: (msg: OutboundMessage) => string;
}

export type WhatsAppSender = ChannelSender & {
  /**
   * Marks an inbound message (and those before it) read, with "typing…" shown for up to 25 s when `typing`
   * (best effort: one attempt, never throws, outcome ignored).
   */
  markRead(facilityId: string, messageId: string, typing?: boolean): Promise<void>;
};

/** Used when no label is given; the module's only words, for a button WhatsApp requires. */
const LIST_BUTTON: Record<LocaleCode, string> = { en: 'Choose', fil: 'Pumili', id: 'Pilih' };

export { readGraphError, type GraphError } from '../../src/core/graph-error.js';

/**
 * WhatsApp error codes (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes)
 * that no retry can fix, and what they mean for the outbox.
 */
export const WHATSAPP_ERRORS = {
  /** Re-engagement message: more than 24 hours since the user last wrote (our window clock and Meta's disagree) */
  outsideWindow: 131047,
  /** Message undeliverable: not a WhatsApp number, terms not accepted, an outdated client */
  undeliverable: 131026,
  /** the user stopped marketing messages from this business */
  stoppedMarketing: 131050,
  /** access token expired or invalid */
  tokenExpired: 190,
} as const;

/** "try again later": Cloud API throughput (130429), pair rate limit (131056), WABA / app rate limits, and Meta's transient errors. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004]);
const RATE_LIMIT_CODES = new Set([4, 17, 80007, 130429, 131056]);
const PERMANENT_CODES = new Set<number>(Object.values(WHATSAPP_ERRORS));

export function isRetryableGraph(status: number, body: unknown): boolean {
  const code = readGraphError(body)?.code;
  if (code !== undefined && PERMANENT_CODES.has(code)) return false;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (status === 401) return false;
  return status === 429 || status >= 500;
}

/** A failed call as an outcome: the window and undeliverable numbers are refusals (the outbox may fall back), the rest failures. */
function outcomeOf(r: Extract<PlatformResponse, { ok: false }>, attempts: number): SendOutcome {
  const code = readGraphError(r.body)?.code;
  if (code === WHATSAPP_ERRORS.outsideWindow) return { status: 'undeliverable', reason: 'outside_window' };
  if (code === WHATSAPP_ERRORS.undeliverable) return { status: 'undeliverable', reason: 'no_channel' };
  const withCode = code !== undefined ? { code: String(code) } : {};
  if (code === WHATSAPP_ERRORS.stoppedMarketing) return { status: 'failed', reason: 'opted_out', ...withCode, attempts, retryable: false };
  if (code === WHATSAPP_ERRORS.tokenExpired || r.status === 401) return { status: 'failed', reason: 'auth', ...withCode, attempts, retryable: false };
  const reason = (code !== undefined && RATE_LIMIT_CODES.has(code)) || r.status === 429 ? 'rate_limited' : r.reason;
  return { status: 'failed', reason, ...withCode, attempts, retryable: r.retryable };
}

/** The Messages API requests for one outbound message under a plan, in sending order. */
export function buildRequests(msg: OutboundMessage, plan: SendPlan, listButton: string): SendMessageRequest[] {
  const parts: WhatsAppMessage[] =
    plan.kind === 'session' ? renderReply(msg.reply, { listButton }) : [renderTemplate(msg.reply, { name: plan.template, language: plan.language })];
  const target = sendTarget(msg.channelUserId);
  return parts.map((m) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', ...target, ...m }));
}

/**
 * Sends through `POST {apiBase}/{phone-number-id}/messages` with the facility's access token as
 * `Authorization: Bearer` (never in a URL), one request per rendered part, in order, stopping at the first
 * failure. `send` never throws. The recorded `platformMessageId` is the last part's `wamid` (the one carrying the
 * choices). Only synchronous errors are seen here: Meta reports many (131047, 131026, 131050) later, as a
 * `failed` status whose receipt carries the code.
 */
export function createWhatsAppSender(opts: WhatsAppSenderOptions): WhatsAppSender {
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const byId = new Map(whatsappNumbers(opts.facilities).map((f) => [f.id, f]));
  const listButtonLabel = opts.listButtonLabel ?? ((m: OutboundMessage) => LIST_BUTTON[m.locale] ?? LIST_BUTTON.en);
  // absent options stay absent: the client's defaults apply
  const callOpts: PlatformCallOptions = compact({ isRetryable: isRetryableGraph, ...opts.retry, limiter: opts.limiter, timeoutMs: opts.timeoutMs });

  const endpoint = (f: WhatsAppFacility) => ({
    url: `${apiBase}/${encodeURIComponent(f.config.phoneNumberId)}/messages`,
    headers: { authorization: `Bearer ${f.config.accessToken}` },
  });

  async function send(msg: OutboundMessage, contact: Contact | undefined, now: Date): Promise<SendOutcome> {
    const facility = byId.get(msg.facilityId);
    const plan = planSend(msg, contact, now, facility?.config);
    if (!plan.ok) return { status: 'undeliverable', reason: plan.error };
    try {
      const { url, headers } = endpoint(facility!);
      let attempts = 0;
      let lastId: string | undefined;
      for (const body of buildRequests(msg, plan.value, listButtonLabel(msg))) {
        const r = await callPlatform({ url, method: 'POST', headers, body: JSON.stringify(body) }, callOpts);
        attempts += r.attempts;
        if (!r.ok) return outcomeOf(r, attempts);
        const id = (r.body as SendMessageSuccess | undefined)?.messages?.[0]?.id;
        if (typeof id === 'string') lastId = id;
      }
      return { status: 'sent', attempts, ...(lastId !== undefined ? { platformMessageId: lastId } : {}) };
    } catch (e) {
      return { status: 'failed', reason: `internal: ${(e as Error).name}`, attempts: 0, retryable: true };
    }
  }

  async function markRead(facilityId: string, messageId: string, typing = false): Promise<void> {
    const facility = byId.get(facilityId);
    if (!facility) return;
    const body: MarkReadRequest = { messaging_product: 'whatsapp', status: 'read', message_id: messageId, ...(typing ? { typing_indicator: { type: 'text' } } : {}) };
    try {
      await callPlatform({ ...endpoint(facility), method: 'POST', body: JSON.stringify(body) }, { ...callOpts, maxAttempts: 1 });
    } catch {
      // best effort by design
    }
  }

  return {
    channel: 'whatsapp',
    permission: (msg, contact, now) => permission(msg, contact, now, byId.get(msg.facilityId)?.config),
    send,
    markRead,
  };
}
