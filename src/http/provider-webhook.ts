import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FacilityConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { toZonedIso } from '../provider/parse.js';
import { parseProviderEvent, type ProviderEvent, type ZonedTime } from '../sync/events.js';
import { boundDetails, HttpError, refuseUnauthenticated } from './errors.js';
import type { Metrics } from './metrics.js';
import { BODY_LIMITS, readRawBody } from './raw-body.js';

export interface ProviderEventSink {
  /** persists the event under its webhook-id; false when that id was seen before */
  accept(facilityId: string, webhookId: string, event: ProviderEvent): Promise<boolean>;
}

/**
 * Walk 2's door: body capped (413 above it, unread) → Standard Webhooks verification (±5 min, several v1
 * signatures) on the raw bytes → JSON → validation → store once → 2xx. An unknown facility is checked
 * against a random secret and refused exactly like a bad signature (same status, same body), so the route
 * does not tell which facilities exist. Every refusal stores nothing.
 */
export function providerWebhook(opts: { facilities: Map<string, FacilityConfig>; sink: ProviderEventSink; logger: Logger; metrics: Metrics; maxBytes?: number }) {
  const verifiers = new Map([...opts.facilities].map(([id, f]) => [id, new Webhook(f.provider.webhookSecret)]));
  const nobody = new Webhook(randomBytes(32).toString('base64'));
  // times read as the provider client reads them: an offset-less time is the facility's wall clock
  const zoned = new Map<string, ZonedTime>([...opts.facilities].map(([id, f]) => [id, (raw: string) => toZonedIso(raw, f.timezone)]));
  const maxBytes = opts.maxBytes ?? BODY_LIMITS.provider;
  return async (ctx: Context) => {
    const facilityId = String(ctx.params.facilityId);
    const refused = (result: string) => opts.metrics.providerEvents.inc({ type: 'refused', result });
    let raw: Buffer;
    try {
      raw = await readRawBody(ctx, maxBytes);
    } catch (e) {
      if (e instanceof HttpError) refused(e.code);
      throw e;
    }
    const verifier = verifiers.get(facilityId);
    const headers = {
      'webhook-id': ctx.get('webhook-id'),
      'webhook-timestamp': ctx.get('webhook-timestamp'),
      'webhook-signature': ctx.get('webhook-signature'),
    };
    let body: unknown;
    try {
      body = (verifier ?? nobody).verify(raw, headers);
    } catch (e) {
      if (!verifier || e instanceof WebhookVerificationError) {
        refused('invalid_signature');
        opts.logger.warn({ facilityId: verifier ? facilityId : undefined, reason: verifier ? (e as Error).message : 'unknown facility' }, 'provider webhook refused');
        return refuseUnauthenticated(ctx);
      }
      refused('bad_request');
      ctx.status = 400;
      ctx.body = { error: 'bad_request', message: 'body is not JSON' };
      return;
    }
    if (!verifier) return refuseUnauthenticated(ctx); // unreachable: the random secret never verifies
    const parsed = parseProviderEvent(body, { zonedTime: zoned.get(facilityId) });
    if (!parsed.ok) {
      refused('invalid_event');
      ctx.status = 400;
      ctx.body = { error: 'invalid_event', message: 'the event does not match the contract', details: boundDetails(parsed.issues) };
      return;
    }
    const fresh = await opts.sink.accept(facilityId, headers['webhook-id'], parsed.event);
    const type = parsed.event.type === 'unknown' ? 'unknown' : parsed.event.type;
    opts.metrics.providerEvents.inc({ type, result: fresh ? 'accepted' : 'duplicate' });
    if (parsed.event.type === 'unknown') opts.logger.warn({ facilityId, type: parsed.event.rawType }, 'unknown provider event type acknowledged');
    ctx.status = 200;
    ctx.body = { ok: true, duplicate: !fresh };
  };
}
