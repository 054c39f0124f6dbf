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
    care: new Counter({ name: 'frontdesk_care_messages_total', help: 'Care workflow messages (seeYou, followUp, nudge, survey) by outcome', labelNames: ['kind', 'result'] as const, registers: [registry] }),
    surveyScores: new Counter({ name: 'frontdesk_survey_scores_total', help: 'Post-visit survey scores given, per facility and score (0-10)', labelNames: ['facility', 'score'] as const, registers: [registry] }),
    up: new Gauge({ name: 'frontdesk_up', help: '1 while serving', registers: [registry] }),
    queueRuns: new Histogram({ name: 'frontdesk_queue_wait_seconds', help: 'Time from acceptance to the start of a run, per queue and outcome', labelNames: ['queue', 'outcome'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120], registers: [registry] }),
    /** depth, oldest waiting age and dead letters of the keyed queues, read from the store at each scrape */
    watchQueues(queues: { name: string; stats(): Promise<{ depth: number; oldestAt?: number; dead: number }> }[]) {
      const read = async () => Promise.all(queues.map(async (q) => ({ name: q.name, s: await q.stats().catch(() => undefined) })));
      let last: Promise<{ name: string; s: { depth: number; oldestAt?: number; dead: number } | undefined }[]> | undefined;
      // one read serves the three gauges of one scrape
      const once = () => (last ??= read().finally(() => setTimeout(() => (last = undefined), 100).unref()));
      new Gauge({ name: 'frontdesk_queue_depth', help: 'Items waiting or running', labelNames: ['queue'] as const, registers: [registry], async collect() {
        for (const { name, s } of await once()) if (s) this.set({ queue: name }, s.depth);
      } });
      new Gauge({ name: 'frontdesk_queue_oldest_seconds', help: 'Age of the oldest item waiting or running (0 when empty)', labelNames: ['queue'] as const, registers: [registry], async collect() {
        for (const { name, s } of await once()) if (s) this.set({ queue: name }, s.oldestAt === undefined ? 0 : Math.max(0, (Date.now() - s.oldestAt) / 1000));
      } });
      new Gauge({ name: 'frontdesk_queue_dead', help: 'Items that failed for good (dead letters kept)', labelNames: ['queue'] as const, registers: [registry], async collect() {
        for (const { name, s } of await once()) if (s) this.set({ queue: name }, s.dead);
      } });
    },
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
