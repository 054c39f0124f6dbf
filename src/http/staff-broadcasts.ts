import type Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { BroadcastDeps, BroadcastPlan } from '../sync/broadcast.js';
import { broadcastHistory, broadcastProgress, broadcastRequestSchema, planBroadcast } from '../sync/broadcast.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { readJson } from './raw-body.js';

/** The parts of the staff scope the broadcast routes use (src/http/staff.ts). */
export interface BroadcastScope {
  readonly deps: {
    broadcasts: BroadcastDeps;
    /** the facility a broadcast was made for */
    broadcastFacility(id: string): Promise<string | undefined>;
  };
  member(ctx: Koa.Context): { name: string; facilities: '*' | readonly string[] };
  reach(ctx: Koa.Context, facilityId: string): void;
  audit(ctx: Koa.Context, entry: { action: string; facilityId: string; targets?: Record<string, string | string[]>; counts?: Record<string, number>; outcome?: string }): Promise<unknown>;
}

const MAX_HISTORY = 200;
const historyQuery = z.object({
  facilityId: z.string().min(1, 'facilityId is required'),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY).default(50),
});

/** `/broadcasts`: plan (or dry-run) a broadcast, follow one, list a facility's history. */
export function mountBroadcastRoutes(router: Router, scope: BroadcastScope): void {
  router.post('/broadcasts', (ctx) => createBroadcast(scope, ctx));
  router.get('/broadcasts', (ctx) => listBroadcasts(scope, ctx));
  router.get('/broadcasts/:id', (ctx) => broadcastStatus(scope, ctx));
}

async function requestOf(ctx: Koa.Context) {
  let body: unknown;
  try {
    body = await readJson(ctx);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413) throw e;
    throw badRequest('body is not JSON');
  }
  const parsed = broadcastRequestSchema.safeParse(body);
  if (!parsed.success) throw badRequest('invalid broadcast request', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  return parsed.data;
}

/**
 * POST /broadcasts: 202 when a broadcast is planned; 200 for a repeat of one already made (nothing is sent again:
 * when it was made, and its progress) and for a dry run (counts, and the message as each channel renders it).
 */
async function createBroadcast(scope: BroadcastScope, ctx: Router.RouterContext): Promise<void> {
  const req = await requestOf(ctx);
  scope.reach(ctx, req.facilityId);
  const dryRun = Boolean(req.dryRun);
  const r = await planBroadcast(scope.deps.broadcasts, req, scope.member(ctx).name);
  await scope.audit(ctx, {
    action: dryRun ? 'broadcast.dry-run' : 'broadcast.create',
    facilityId: req.facilityId,
    targets: { broadcastId: r.id },
    counts: { recipients: r.recipients, skipped: r.skipped },
    ...(r.repeated && !dryRun ? { outcome: 'repeated' } : {}),
  });
  const progress = r.repeated && !dryRun ? await broadcastProgress(scope.deps.broadcasts, r.id) : undefined;
  ctx.status = dryRun || r.repeated ? 200 : 202;
  ctx.body = { ...planBody(r, dryRun), ...(progress ? { progress } : {}) };
}

function planBody(r: BroadcastPlan, dryRun: boolean): Record<string, unknown> {
  const made = r.existing;
  return {
    id: r.id,
    recipients: r.recipients,
    skipped: r.skipped,
    byChannel: r.byChannel,
    viberBotInitiated: r.viberBotInitiated,
    dryRun,
    repeated: r.repeated,
    ...(made ? { sentAt: made.createdAt, ...(made.by ? { sentBy: made.by } : {}), ...(dryRun ? { sentId: made.id } : {}) } : {}),
    ...(r.preview ? { preview: r.preview } : {}),
  };
}

/** GET /broadcasts?facilityId=&limit=: the facility's broadcasts, newest first, with their progress. */
async function listBroadcasts(scope: BroadcastScope, ctx: Koa.Context): Promise<void> {
  const raw = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const q = historyQuery.safeParse(raw);
  if (!q.success) throw badRequest('invalid history query', q.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`));
  scope.reach(ctx, q.data.facilityId);
  ctx.body = { broadcasts: await broadcastHistory(scope.deps.broadcasts, q.data.facilityId, q.data.limit) };
}

/** GET /broadcasts/:id: a broadcast's progress, for a token that reaches its facility (a dry run's id names none). */
async function broadcastStatus(scope: BroadcastScope, ctx: Router.RouterContext): Promise<void> {
  const id = ctx.params.id!;
  const facilityId = await scope.deps.broadcastFacility(id);
  if (!facilityId) throw notFound(`no broadcast "${id}"`);
  const { facilities } = scope.member(ctx);
  if (facilities !== '*' && !facilities.includes(facilityId)) throw new HttpError(403, 'forbidden', 'this staff token does not reach that broadcast’s facility');
  const p = await broadcastProgress(scope.deps.broadcasts, id);
  if (!p) throw notFound(`no broadcast "${id}"`);
  ctx.body = p;
}
