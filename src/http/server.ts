import Router from '@koa/router';
import Koa from 'koa';
import type { Config, FacilityConfig } from '../config/schema.js';
import type { ChannelModule, ChannelRoute } from '../core/channel.js';
import type { Logger } from '../log.js';
import { channelWebhook, type ChannelWebhookOptions, type InboundSink } from './channel-webhook.js';
import { jsonErrors, refuseUnauthenticated } from './errors.js';
import { metricsAuth, type Metrics } from './metrics.js';
import { providerWebhook, type ProviderEventSink } from './provider-webhook.js';
import { BODY_LIMITS } from './raw-body.js';
import { securityHeaders } from './security-headers.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** readiness: the store takes a write (probe key written, read, deleted) and the queue is reachable */
  ready(): Promise<Record<string, boolean>>;
  inbound: InboundSink;
  providerEvents: ProviderEventSink;
  /** every registered channel, with its routes when a facility configured it */
  channels: { module: ChannelModule; routes: ChannelRoute[] | undefined }[];
  /** extra routers mounted as they are: staff API, dev chat */
  routers?: Router[];
  /** the sandbox provider's middleware (handles /sandbox/* only) */
  sandbox?: Koa.Middleware;
  /** webhooks being received now (the queue's workers give way to them) */
  load?: { webhooksInFlight: number };
}

function mountChannelRoute(router: Router, route: ChannelRoute, common: Omit<ChannelWebhookOptions, 'inbound' | 'maxBytes'>): void {
  const { handshake, inbound } = route;
  if (route.method === 'GET' && handshake) {
    router.get(route.path, (ctx) => {
      const r = handshake(Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
      if (!r.ok) {
        ctx.status = r.status;
        ctx.body = { error: r.status === 403 ? 'forbidden' : 'bad_request', message: r.status === 403 ? 'verify token mismatch' : 'not a subscription handshake' };
        return;
      }
      ctx.type = 'text/plain';
      ctx.body = r.challenge;
    });
  } else if (route.method === 'POST' && inbound) {
    router.post(route.path, channelWebhook({ ...common, inbound, maxBytes: route.maxBytes ?? BODY_LIMITS.default, ...(route.ack ? { ack: route.ack } : {}) }));
  }
}

/** staff bearer auth lives with the staff routes (named, scoped tokens); kept here for importers */
export { staffAuth } from './staff.js';

export function buildHttpApp(deps: HttpDeps): Koa {
  const { config, logger, metrics } = deps;
  const app = new Koa({ proxy: config.trustProxy });
  app.silent = true;
  app.use(securityHeaders({ ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) }));
  app.use(jsonErrors(logger));
  const load = deps.load;
  if (load) {
    app.use(async (ctx, next) => {
      if (!ctx.path.startsWith('/webhooks/')) return next();
      load.webhooksInFlight++;
      try {
        await next();
      } finally {
        load.webhooksInFlight--;
      }
    });
  }
  if (deps.sandbox) app.use(deps.sandbox);

  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await deps.ready();
    const ok = Object.values(checks).every(Boolean);
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ready' : 'not_ready', checks };
  });
  router.get('/metrics', metricsAuth(config.metricsToken), async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  const common = { sink: deps.inbound, publicUrl: config.publicUrl, logger, metrics };
  // a channel no facility has: answered like any request naming an unknown facility (401, same body as a bad signature)
  for (const { module, routes } of deps.channels) {
    if (!routes) {
      for (const path of module.routePaths) router.all(path, refuseUnauthenticated);
      continue;
    }
    for (const route of routes) mountChannelRoute(router, route, { ...common, route: route.label ?? module.name });
  }

  const facilities = new Map<string, FacilityConfig>(config.facilities.map((f) => [f.id, f]));
  router.post('/webhooks/provider/:facilityId', providerWebhook({ facilities, sink: deps.providerEvents, logger, metrics }));

  app.use(router.routes()).use(router.allowedMethods());
  for (const r of deps.routers ?? []) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
