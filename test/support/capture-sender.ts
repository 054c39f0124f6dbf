import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import type { ChannelSender, SendPermission } from '../../src/core/channel.js';
import type { ChannelName, Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendOutcome } from '../../src/core/messages.js';

/** What the stub platform received: one POST per send. */
export interface CapturedSend {
  channel: string;
  to: string;
  text: string;
  ref: string;
}

export type ScriptedAnswer = { status: number; body: unknown };

/**
 * A stand-in for the platforms' send APIs: a Koa server on an ephemeral port taking
 * `POST /:channel/messages` ({to, text, ref}). It answers 200 `{message_id}` unless a test queued
 * other answers for that channel with `script`.
 */
export async function startPlatformStub() {
  const sends: CapturedSend[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  let n = 0;
  const app = new Koa();
  app.use(async (ctx) => {
    const m = /^\/(\w+)\/messages$/.exec(ctx.path);
    if (ctx.method !== 'POST' || !m) {
      ctx.status = 404;
      return;
    }
    const channel = m[1]!;
    const body = JSON.parse(await getRawBody(ctx.req, { encoding: 'utf8' })) as Omit<CapturedSend, 'channel'>;
    sends.push({ channel, ...body });
    const answer = scripts.get(channel)?.shift() ?? { status: 200, body: { message_id: `${channel}-mid-${++n}` } };
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sends,
    /** the next answers for a channel, in order */
    script(channel: ChannelName, ...answers: ScriptedAnswer[]) {
      scripts.set(channel, [...(scripts.get(channel) ?? []), ...answers]);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const DAY_MS = 24 * 60 * 60_000;

/** The platforms' rules, simplified: Messenger's 24 h window, Viber's subscription, SMS opt-out. */
export function platformRules(channel: ChannelName, msg: OutboundMessage, contact: Contact | undefined, now: Date): SendPermission {
  if (msg.purpose === 'response' && channel !== 'sms') return { ok: true, mode: 'session' };
  switch (channel) {
    case 'messenger': {
      const last = contact?.channels?.messenger?.lastInboundAt;
      return last && now.getTime() - Date.parse(last) < DAY_MS ? { ok: true, mode: 'session' } : { ok: false, reason: 'outside_window' };
    }
    case 'viber':
      return contact?.channels?.viber?.subscribed ? { ok: true, mode: 'standard' } : { ok: false, reason: 'not_subscribed' };
    case 'sms':
      return contact?.channels?.sms?.optedOut ? { ok: false, reason: 'opted_out' } : { ok: true, mode: 'standard' };
    default:
      return { ok: true, mode: 'standard' };
  }
}

/**
 * A ChannelSender that POSTs to the stub: 2xx → sent (the body's message_id); 4xx → failed, not
 * retryable, with the body's `code`; 5xx or no answer → failed, retryable.
 */
export function createHttpSender(channel: ChannelName, baseUrl: string): ChannelSender {
  return {
    channel,
    permission: (msg, contact, now) => platformRules(channel, msg, contact, now),
    async send(msg): Promise<SendOutcome> {
      try {
        const res = await fetch(`${baseUrl}/${channel}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: msg.channelUserId, text: msg.reply.text, ref: msg.id }),
        });
        const body = (await res.json().catch(() => ({}))) as { message_id?: string; code?: number | string; message?: string };
        if (res.ok) return { status: 'sent', platformMessageId: body.message_id, attempts: 1 };
        return {
          status: 'failed',
          reason: body.message ?? `HTTP ${res.status}`,
          ...(body.code !== undefined ? { code: String(body.code) } : {}),
          attempts: 1,
          retryable: res.status >= 500 || res.status === 429,
        };
      } catch (e) {
        return { status: 'failed', reason: e instanceof Error ? e.message : String(e), attempts: 1, retryable: true };
      }
    },
  };
}
