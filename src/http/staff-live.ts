import type Router from '@koa/router';
import type Koa from 'koa';
import { PassThrough } from 'node:stream';
import type { Store } from '../store/types.js';
import { ticketSummaries } from './staff-tickets.js';

/** The console's open event streams: ended when the server stops (an open stream would hold it forever). */
export class LiveStreams {
  private readonly open = new Set<() => void>();
  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }
  endAll(): void {
    for (const end of [...this.open]) end();
  }
}

export interface LiveScope {
  readonly deps: { store: Store; facilities: readonly string[]; facilityNames?: (id: string) => string | undefined; facilityZones?: (id: string) => string | undefined };
  member(ctx: Koa.Context): { name: string };
  reach(ctx: Koa.Context, facilityId: string): void;
  reachable(ctx: Koa.Context): string[];
}

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/**
 * `GET /staff/v1/me` (who the console is signed in as, the facilities with their time zones and doctors) and
 * `GET /staff/v1/events?facilityId=` (server-sent events: `tickets` with the open tickets whenever they change).
 * The stream reads the store, not this process's memory, so a ticket opened on another instance shows too.
 */
export function mountLiveRoutes(router: Router, scope: LiveScope, live: LiveStreams): void {
  router.get('/me', async (ctx) => {
    const facilities = await Promise.all(
      scope.reachable(ctx).map(async (id) => ({
        id,
        name: scope.deps.facilityNames?.(id) ?? id,
        timezone: scope.deps.facilityZones?.(id) ?? 'UTC',
        calendars: ((await scope.deps.store.calendars.get(id))?.calendars ?? []).map((c) => ({ id: c.id, name: c.name })),
      })),
    );
    ctx.body = { name: scope.member(ctx).name, facilities };
  });
  router.get('/events', (ctx) => streamTickets(scope, live, ctx));
}

function streamTickets(scope: LiveScope, live: LiveStreams, ctx: Koa.Context): void {
  const facilityId = typeof ctx.query.facilityId === 'string' ? ctx.query.facilityId : undefined;
  if (facilityId) scope.reach(ctx, facilityId);
  const facilities = facilityId ? [facilityId] : scope.reachable(ctx);
  const stream = new PassThrough();
  let last = '';
  let busy = false;
  const push = async () => {
    if (busy) return;
    busy = true;
    try {
      const data = JSON.stringify({ tickets: await ticketSummaries(scope, facilities) });
      if (data !== last) stream.write(`event: tickets\ndata: ${data}\n\n`);
      last = data;
    } catch {
      stream.write(': store unavailable, retrying\n\n');
    } finally {
      busy = false;
    }
  };
  const poll = setInterval(() => void push(), POLL_MS);
  const beat = setInterval(() => stream.write(': ping\n\n'), HEARTBEAT_MS);
  const end = () => {
    clearInterval(poll);
    clearInterval(beat);
    forget();
    stream.end();
  };
  const forget = live.add(end);
  ctx.req.on('close', end);
  ctx.req.socket.setTimeout(0);
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = stream;
  stream.write('retry: 3000\n\n');
  void push();
}
