import type { Context } from 'koa';
import type { ChannelInbound, DeliveryReceipt, InboundRejection, RawRequest } from '../core/channel.js';
import type { InboundMessage } from '../core/messages.js';
import type { Logger } from '../log.js';
import { boundMessage, HttpError, refuseUnauthenticated } from './errors.js';
import type { Metrics } from './metrics.js';
import { toRawRequest } from './raw-body.js';

/** The conversation queue's door: each call is one atomic de-duplicate + enqueue, nothing more. */
export interface InboundSink {
  accept(msg: InboundMessage): Promise<{ duplicate: boolean }>;
  acceptReceipt(r: DeliveryReceipt): Promise<boolean>;
}

export interface ChannelWebhookOptions {
  route: string;
  inbound: ChannelInbound;
  sink: InboundSink;
  publicUrl: string | undefined;
  /** the route's body cap in bytes (BODY_LIMITS); a larger body is 413 and is not read */
  maxBytes: number;
  logger: Logger;
  metrics: Metrics;
  /** what to answer with when the channel gives no body (Twilio wants TwiML, Messenger text) */
  ack?: { type: string; body: string };
}

/**
 * How a refusal is answered. Before authentication every refusal is the same 401 and the same body
 * (`bad_signature` covers an unknown page, number or facility too); the reason goes to the log and the
 * metric only. After it, 400 / 404 with a short message.
 */
function refuse(ctx: Context, rejection: InboundRejection): void {
  if (rejection.kind === 'bad_signature') return refuseUnauthenticated(ctx);
  ctx.status = rejection.kind === 'bad_request' ? 400 : 404;
  ctx.body = { error: rejection.kind, message: boundMessage(rejection.message) };
}

/**
 * Walk 1, steps 1–3: raw bytes (capped) → verify → parse → queue each event once (one atomic write each)
 * → 200. No lock, no contact, no turn on this path: the queue's workers do those, on any instance.
 * A refused request changes nothing and never echoes the body.
 */
export function channelWebhook(opts: ChannelWebhookOptions) {
  return async (ctx: Context) => {
    let raw: RawRequest;
    try {
      raw = await toRawRequest(ctx, { publicBase: opts.publicUrl, limit: opts.maxBytes });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      opts.metrics.webhookRejected.inc({ route: opts.route, reason: e.status === 413 ? 'too_large' : 'unreadable' });
      opts.logger.warn({ route: opts.route, reason: e.code, length: ctx.request.length }, 'webhook refused');
      throw e;
    }
    const parsed = opts.inbound.receive(raw, ctx.params?.facilityId as string | undefined);
    if (!parsed.ok) {
      opts.metrics.webhookRejected.inc({ route: opts.route, reason: parsed.error.kind });
      opts.logger.warn({ route: opts.route, reason: parsed.error.kind, detail: boundMessage(parsed.error.message, 200) }, 'webhook refused');
      refuse(ctx, parsed.error);
      return;
    }
    for (const msg of parsed.value.messages) {
      const r = await opts.sink.accept(msg);
      opts.metrics.inbound.inc({ channel: msg.channel, result: r.duplicate ? 'duplicate' : 'accepted' });
    }
    for (const r of parsed.value.receipts ?? []) await opts.sink.acceptReceipt(r);
    ctx.status = 200;
    if (parsed.value.responseBody !== undefined) ctx.body = parsed.value.responseBody;
    else if (opts.ack) {
      ctx.type = opts.ack.type;
      ctx.body = opts.ack.body;
    } else ctx.body = { ok: true };
  };
}
