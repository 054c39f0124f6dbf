import type { Context } from 'koa';
import type { ChannelInbound, DeliveryReceipt, InboundRejection } from '../core/channel.js';
import type { InboundMessage } from '../core/messages.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import { toRawRequest } from './raw-body.js';

export interface InboundSink {
  /** persists the event (de-duplicated by platform id) and returns the conversation to drain; fast */
  accept(msg: InboundMessage): Promise<{ duplicate: boolean; conversation?: { facilityId: string; contactId: string } }>;
  /** processes a conversation's pending events, after the platform got its 200 */
  drain(facilityId: string, contactId: string): Promise<void>;
}

export interface ReceiptSink {
  applyReceipt(r: DeliveryReceipt): Promise<void>;
}

const STATUS: Record<InboundRejection['kind'], number> = { bad_signature: 401, bad_request: 400, unknown_facility: 404 };
const CODE: Record<InboundRejection['kind'], string> = { bad_signature: 'invalid_signature', bad_request: 'bad_request', unknown_facility: 'unknown_facility' };

export interface ChannelWebhookOptions {
  route: string;
  inbound: ChannelInbound;
  sink: InboundSink;
  receipts?: ReceiptSink;
  publicUrl: string | undefined;
  logger: Logger;
  metrics: Metrics;
  /** what to answer with when the channel gives no body (Twilio wants TwiML, Messenger text) */
  ack?: { type: string; body: string };
}

/**
 * Walk 1, steps 1–3: raw bytes → verify → parse → store each event once → 200 → process after.
 * A refused request changes nothing and never echoes the body.
 */
export function channelWebhook(opts: ChannelWebhookOptions) {
  return async (ctx: Context) => {
    const raw = await toRawRequest(ctx, opts.publicUrl);
    const parsed = opts.inbound.receive(raw, ctx.params?.facilityId as string | undefined);
    if (!parsed.ok) {
      opts.metrics.webhookRejected.inc({ route: opts.route, reason: parsed.error.kind });
      opts.logger.warn({ route: opts.route, reason: parsed.error.kind }, 'webhook refused');
      ctx.status = STATUS[parsed.error.kind];
      ctx.body = { error: CODE[parsed.error.kind], message: parsed.error.message };
      return;
    }
    const toDrain = new Map<string, { facilityId: string; contactId: string }>();
    for (const msg of parsed.value.messages) {
      const r = await opts.sink.accept(msg);
      opts.metrics.inbound.inc({ channel: msg.channel, result: r.duplicate ? 'duplicate' : 'accepted' });
      if (r.conversation) toDrain.set(`${r.conversation.facilityId}:${r.conversation.contactId}`, r.conversation);
    }
    const receipts = parsed.value.receipts ?? [];
    ctx.status = 200;
    if (parsed.value.responseBody !== undefined) ctx.body = parsed.value.responseBody;
    else if (opts.ack) {
      ctx.type = opts.ack.type;
      ctx.body = opts.ack.body;
    } else ctx.body = { ok: true };
    setImmediate(() => {
      for (const c of toDrain.values()) {
        opts.sink.drain(c.facilityId, c.contactId).catch((e: unknown) => opts.logger.error({ err: e, facilityId: c.facilityId }, 'conversation drain failed'));
      }
      for (const r of receipts) {
        opts.receipts?.applyReceipt(r).catch((e: unknown) => opts.logger.error({ err: e }, 'receipt failed'));
      }
    });
  };
}
