import type { Context } from 'koa';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FacilityConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { parseProviderEvent, type ProviderEvent } from '../sync/events.js';
import type { Metrics } from './metrics.js';
import { readRawBody } from './raw-body.js';

export interface ProviderEventSink {
  /** persists the event under its webhook-id; false when that id was seen before */
  accept(facilityId: string, webhookId: string, event: ProviderEvent): Promise<boolean>;
}

/**
 * Walk 2's door: Standard Webhooks verification (±5 min, several v1 signatures), validation, store once, 2xx.
 * Every refusal stores nothing.
 */
export function providerWebhook(opts: { facilities: Map<string, FacilityConfig>; sink: ProviderEventSink; logger: Logger; metrics: Metrics }) {
  const verifiers = new Map([...opts.facilities].map(([id, f]) => [id, new Webhook(f.provider.webhookSecret)]));
  return async (ctx: Context) => {
    const facilityId = String(ctx.params.facilityId);
    const verifier = verifiers.get(facilityId);
    const raw = await readRawBody(ctx);
    const refuse = (status: number, error: string, message: string, details?: unknown) => {
      opts.metrics.providerEvents.inc({ type: 'refused', result: error });
      ctx.status = status;
      ctx.body = { error, message, ...(details ? { details } : {}) };
    };
    if (!verifier) return refuse(404, 'unknown_facility', `no facility "${facilityId}"`);
    const headers = {
      'webhook-id': ctx.get('webhook-id'),
      'webhook-timestamp': ctx.get('webhook-timestamp'),
      'webhook-signature': ctx.get('webhook-signature'),
    };
    let body: unknown;
    try {
      body = verifier.verify(raw, headers);
    } catch (e) {
      if (e instanceof WebhookVerificationError) return refuse(401, 'invalid_signature', e.message);
      return refuse(400, 'bad_request', 'body is not JSON');
    }
    const parsed = parseProviderEvent(body);
    if (!parsed.ok) return refuse(400, 'invalid_event', 'the event does not match the contract', parsed.issues);
    const fresh = await opts.sink.accept(facilityId, headers['webhook-id'], parsed.event);
    const type = parsed.event.type === 'unknown' ? 'unknown' : parsed.event.type;
    opts.metrics.providerEvents.inc({ type, result: fresh ? 'accepted' : 'duplicate' });
    if (parsed.event.type === 'unknown') opts.logger.warn({ facilityId, type: parsed.event.rawType }, 'unknown provider event type acknowledged');
    ctx.status = 200;
    ctx.body = { ok: true, duplicate: !fresh };
  };
}
