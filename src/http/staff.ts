import Router from '@koa/router';
import type { BroadcastDeps } from '../sync/broadcast.js';
import { broadcastProgress, broadcastRequestSchema, planBroadcast } from '../sync/broadcast.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { readJson } from './raw-body.js';
import { staffAuth } from './server.js';

export interface StaffDeps {
  tokens: readonly string[];
  broadcasts: BroadcastDeps;
  knownFacility(id: string): boolean;
  /** sends that no channel could carry, for staff to follow up by phone */
  undeliverable?(facilityId: string): Promise<unknown[]>;
  /** patients who asked for a person; confirmations the provider could not record */
  attention?(facilityId: string): Promise<unknown[]>;
}

/** `/staff/v1/…`: bearer-token routes for the clinic's staff. */
export function staffRoutes(deps: StaffDeps): Router {
  const router = new Router({ prefix: '/staff/v1' });
  router.use(staffAuth(deps.tokens));

  router.post('/broadcasts', async (ctx) => {
    let body: unknown;
    try {
      body = await readJson(ctx);
    } catch {
      throw badRequest('body is not JSON');
    }
    const parsed = broadcastRequestSchema.safeParse(body);
    if (!parsed.success) throw badRequest('invalid broadcast request', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
    if (!deps.knownFacility(parsed.data.facilityId)) throw new HttpError(404, 'unknown_facility', `no facility "${parsed.data.facilityId}"`);
    const r = await planBroadcast(deps.broadcasts, parsed.data);
    ctx.status = parsed.data.dryRun ? 200 : 202;
    ctx.body = {
      id: r.id,
      recipients: r.recipients,
      skipped: r.skipped,
      byChannel: r.byChannel,
      viberBotInitiated: r.viberBotInitiated,
      dryRun: Boolean(parsed.data.dryRun),
      repeated: r.existing,
    };
  });

  router.get('/broadcasts/:id', async (ctx) => {
    const p = await broadcastProgress(deps.broadcasts, ctx.params.id!);
    if (!p) throw notFound(`no broadcast "${ctx.params.id}"`);
    ctx.body = p;
  });

  router.get('/facilities/:facilityId/undeliverable', async (ctx) => {
    if (!deps.knownFacility(ctx.params.facilityId!)) throw notFound(`no facility "${ctx.params.facilityId}"`);
    ctx.body = { items: (await deps.undeliverable?.(ctx.params.facilityId!)) ?? [] };
  });
  router.get('/facilities/:facilityId/attention', async (ctx) => {
    if (!deps.knownFacility(ctx.params.facilityId!)) throw notFound(`no facility "${ctx.params.facilityId}"`);
    ctx.body = { items: (await deps.attention?.(ctx.params.facilityId!)) ?? [] };
  });
  return router;
}
