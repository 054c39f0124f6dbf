import { compact } from '../../src/core/compact.js';
import { readGraphError, type GraphError } from '../../src/core/graph-error.js';
import { createHmac } from 'node:crypto';
import type Bottleneck from 'bottleneck';
import type { ChannelSender } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendOutcome } from '../../src/core/messages.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { callPlatform, type PlatformCallOptions, type PlatformResponse } from '../../src/outbound/index.js';
import { composeBody, renderReply } from './render.js';
import { permission, planSend, type SendPlan } from './rules.js';
import type { SendApiSuccess, SendMessageRequest, SenderActionRequest } from './types.js';

type MessengerConfig = NonNullable<FacilityConfig['channels']['messenger']>;

export interface MessengerSenderOptions {
  /** `platformApis.messenger`, e.g. https://graph.facebook.com/v25.0 */
  apiBase: string;
  facilities: readonly FacilityConfig[];
  limiter?: Bottleneck;
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  timeoutMs?: number;
}

export type MessengerSender = ChannelSender & {
  /** typing indicator (best effort: one attempt, never throws, outcome ignored) */
  typing(facilityId: string, psid: string, on: boolean): Promise<void>;
  /**
   * "typing…" for a turn still running after `afterMs` (it waits on the provider); a quick answer gets
   * none, so the indicator never takes the page's rate-limit slot ahead of the answer. Returns the stop.
   */
  typingWhileSlow(facilityId: string, psid: string, afterMs?: number): () => void;
};

/** a turn slower than this shows the typing indicator */
export const TYPING_AFTER_MS = 400;

export { readGraphError, type GraphError } from '../../src/core/graph-error.js';

/** Graph errors that no retry can fix, with the word the outbox records. */
export function permanentGraphError(e: GraphError | undefined): 'outside_window' | 'user_unavailable' | 'permission_denied' | undefined {
  if (!e) return undefined;
  // 10/2018278: "This message is sent outside of allowed window"
  if (e.subcode === 2018278) return 'outside_window';
  if (e.code === 551) return 'user_unavailable';
  if (e.code === 10) return 'permission_denied';
  return undefined;
}

/** Graph codes that mean "try again later": unknown/temporary errors and rate limits. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 1200]);

export function isRetryableGraph(status: number, body: unknown): boolean {
  const e = readGraphError(body);
  if (permanentGraphError(e)) return false;
  if (e?.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
  return status === 429 || status >= 500;
}

const errorCode = (e: GraphError | undefined): string | undefined =>
  e?.code === undefined ? undefined : e.subcode === undefined ? String(e.code) : `${e.code}/${e.subcode}`;

function failure(r: Extract<PlatformResponse, { ok: false }>, attempts: number): SendOutcome {
  const e = readGraphError(r.body);
  const permanent = permanentGraphError(e);
  const code = errorCode(e);
  return {
    status: 'failed',
    reason: permanent ?? (e?.code === 613 || r.status === 429 ? 'rate_limited' : r.reason),
    ...(code !== undefined ? { code } : {}),
    attempts,
    retryable: permanent ? false : r.retryable,
  };
}

/** Builds the Send API requests for one outbound message under a plan, in sending order. */
export function buildRequests(msg: OutboundMessage, plan: SendPlan): SendMessageRequest[] {
  const recipient = { id: msg.channelUserId };
  if (plan.kind === 'session') return renderReply(msg.reply).map((message) => ({ recipient, messaging_type: plan.messagingType, message }));
  if (plan.kind === 'human_agent') return renderReply(msg.reply).map((message) => ({ recipient, messaging_type: 'MESSAGE_TAG' as const, tag: 'HUMAN_AGENT' as const, message }));
  // assumption: the approved template has one body placeholder ({{1}}) that receives the reminder / update text
  const text = composeBody(msg.reply).replace(/\s*\n+\s*/g, ' ').trim();
  return [
    {
      recipient,
      messaging_type: 'UTILITY',
      message: { template: { name: plan.template, language: { code: plan.language }, components: [{ type: 'body', parameters: [{ type: 'text', text }] }] } },
    },
  ];
}

/**
 * `appsecret_proof` for a Graph call made with the page token: HMAC-SHA256 of the token keyed by the app secret, hex
 * (https://developers.facebook.com/docs/graph-api/securing-requests). With "Require App Secret" on, Graph refuses calls without it.
 */
export const appSecretProof = (m: Pick<MessengerConfig, 'pageAccessToken' | 'appSecret'>): string => createHmac('sha256', m.appSecret).update(m.pageAccessToken).digest('hex');

/** The page token travels in a header, never in a URL (URLs end up in proxy and access logs). */
export const graphAuthHeaders = (m: Pick<MessengerConfig, 'pageAccessToken'>): Record<string, string> => ({ authorization: `Bearer ${m.pageAccessToken}` });

/**
 * Sends through `POST {apiBase}/{page-id}/messages?appsecret_proof=…` with the page token as `Authorization: Bearer`,
 * one request per rendered message, in order, stopping at the first failure. `send` never throws.
 * The recorded `platformMessageId` is the last part's `message_id` (the one carrying the choices).
 */
export function createMessengerSender(opts: MessengerSenderOptions): MessengerSender {
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const byId = new Map(opts.facilities.map((f) => [f.id, f]));
  // absent options stay absent: the client's defaults apply
  const callOpts: PlatformCallOptions = compact({ isRetryable: isRetryableGraph, ...opts.retry, limiter: opts.limiter, timeoutMs: opts.timeoutMs });

  const endpoint = (f: FacilityConfig): { url: string; headers: Record<string, string> } => {
    const m = f.channels.messenger!;
    return { url: `${apiBase}/${encodeURIComponent(m.pageId)}/messages?appsecret_proof=${appSecretProof(m)}`, headers: graphAuthHeaders(m) };
  };

  async function send(msg: OutboundMessage, contact: Contact | undefined, now: Date): Promise<SendOutcome> {
    const facility = byId.get(msg.facilityId);
    const plan = planSend(msg, contact, now, facility);
    if (!plan.ok) return { status: 'undeliverable', reason: plan.error };
    try {
      const { url, headers } = endpoint(facility!);
      let attempts = 0;
      let lastId: string | undefined;
      for (const body of buildRequests(msg, plan.value)) {
        const r = await callPlatform({ url, method: 'POST', headers, body: JSON.stringify(body) }, callOpts);
        attempts += r.attempts;
        if (!r.ok) return failure(r, attempts);
        const id = (r.body as SendApiSuccess | undefined)?.message_id;
        if (typeof id === 'string') lastId = id;
      }
      return { status: 'sent', attempts, ...(lastId !== undefined ? { platformMessageId: lastId } : {}) };
    } catch (e) {
      return { status: 'failed', reason: `internal: ${(e as Error).name}`, attempts: 0, retryable: true };
    }
  }

  async function typing(facilityId: string, psid: string, on: boolean): Promise<void> {
    const facility = byId.get(facilityId);
    if (!facility?.channels.messenger) return;
    const body: SenderActionRequest = { recipient: { id: psid }, sender_action: on ? 'typing_on' : 'typing_off' };
    try {
      await callPlatform({ ...endpoint(facility), method: 'POST', body: JSON.stringify(body) }, { ...callOpts, maxAttempts: 1 });
    } catch {
      // best effort by design
    }
  }

  return {
    channel: 'messenger',
    permission: (msg, contact, now) => permission(msg, contact, now, byId.get(msg.facilityId)),
    send,
    typing,
    typingWhileSlow(facilityId, psid, afterMs = TYPING_AFTER_MS) {
      const timer = setTimeout(() => void typing(facilityId, psid, true), afterMs);
      return () => clearTimeout(timer);
    },
  };
}
