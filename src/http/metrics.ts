import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import { unauthorized } from './errors.js';

/** One registry per server instance (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'frontdesk_' });
  const m = {
    registry,
    inbound: new Counter({ name: 'frontdesk_inbound_events_total', help: 'Inbound platform events accepted', labelNames: ['channel', 'result'] as const, registers: [registry] }),
    webhookRejected: new Counter({ name: 'frontdesk_webhook_rejected_total', help: 'Webhooks refused', labelNames: ['route', 'reason'] as const, registers: [registry] }),
    sends: new Counter({ name: 'frontdesk_sends_total', help: 'Outbound sends by final outcome', labelNames: ['channel', 'status', 'purpose'] as const, registers: [registry] }),
    turns: new Histogram({ name: 'frontdesk_turn_seconds', help: 'Conversation turn duration', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [registry] }),
    providerEvents: new Counter({ name: 'frontdesk_provider_webhooks_total', help: 'Provider webhooks', labelNames: ['type', 'result'] as const, registers: [registry] }),
    reminders: new Counter({ name: 'frontdesk_reminders_total', help: 'Reminders by outcome', labelNames: ['result'] as const, registers: [registry] }),
    up: new Gauge({ name: 'frontdesk_up', help: '1 while serving', registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `metricsToken` set: /metrics needs `Authorization: Bearer <it>` (constant-time compare), else 401. Unset: open. */
export function metricsAuth(token: string | undefined): Koa.Middleware {
  if (!token) return (_ctx, next) => next();
  const wanted = createHash('sha256').update(token).digest();
  return async (ctx, next) => {
    const m = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
    const given = m?.[1] ? createHash('sha256').update(m[1].trim()).digest() : undefined;
    if (!given || !timingSafeEqual(given, wanted)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw unauthorized('a valid metrics token is required');
    }
    await next();
  };
}
