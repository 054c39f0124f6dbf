import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { FacilityConfig } from '../config/schema.js';
import type { InboundMessage } from '../core/messages.js';
import type { Conversations } from '../engine/inbound.js';
import { defaultDevMailbox, type DevMailbox } from './mailbox.js';
import { devPage } from './page.js';

export interface DevRoutesDeps {
  /** the conversation queue: the dev chat waits for its own message's turn */
  engine: Pick<Conversations, 'handle'>;
  /** base URL of the sandbox staff API of a facility, e.g. http://127.0.0.1:3000/sandbox/demo-clinic/staff */
  sandboxStaffUrl?: (facilityId: string) => string;
  facilities: FacilityConfig[];
  /** where createDevSender() puts pushed messages (default: the shared one) */
  mailbox?: DevMailbox;
}

const PostMessage = z.object({
  facilityId: z.string().min(1),
  /** the style the page renders (informational: the engine sees channel `dev`) */
  channel: z.enum(['messenger', 'viber', 'sms', 'dev']).optional(),
  userId: z.string().min(1).max(100),
  text: z.string().max(2000).optional(),
  choiceId: z.string().max(300).optional(),
  kind: z.enum(['message', 'start', 'help']).optional(),
});

const GetMessages = z.object({
  facilityId: z.string().min(1),
  userId: z.string().min(1).max(100),
  after: z.coerce.number().int().nonnegative().optional(),
});

function badRequest(ctx: Context, message: string): void {
  ctx.status = 400;
  ctx.body = { error: 'bad_request', message };
}

async function readJson(ctx: Context): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    const raw = await getRawBody(ctx.req, { limit: '64kb', encoding: 'utf8' });
    return { ok: true, value: raw ? JSON.parse(raw) : undefined };
  } catch {
    return { ok: false };
  }
}

/** An appointment or temporary-patient id of the sandbox (digits, `TMP-000001`…): no dots, slashes or escapes. */
const ID = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';

/**
 * The sandbox staff actions the page may call, and nothing else (method + path, exactly). The proxy adds
 * the facility's provider credentials, so it must never reach any other route of this server.
 */
const STAFF_ACTIONS: { method: 'GET' | 'POST' | 'PUT'; path: RegExp; query?: string[] }[] = [
  { method: 'GET', path: /^calendars$/ },
  { method: 'GET', path: /^appointments$/, query: ['date', 'calendarId', 'status'] },
  { method: 'POST', path: /^appointments$/ },
  { method: 'POST', path: /^appointments\/bulk$/ },
  { method: 'PUT', path: new RegExp(`^appointments/${ID}/(?:reschedule|cancel|confirm|check-in|no-show)$`) },
  { method: 'GET', path: /^patients$/ },
  { method: 'POST', path: new RegExp(`^patients/${ID}/assign$`) },
  { method: 'GET', path: /^webhook\/deliveries$/ },
];

/** The allowed action for a method and a raw (still percent-encoded) path under the facility, if any. */
export function staffAction(method: string, rawPath: string): { method: string; path: string; query?: string[] } | undefined {
  const a = STAFF_ACTIONS.find((x) => x.method === method && x.path.test(rawPath));
  return a ? { method: a.method, path: rawPath, ...(a.query ? { query: a.query } : {}) } : undefined;
}

const issues = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

const findFacility = (deps: DevRoutesDeps, id: string) => deps.facilities.find((f) => f.id === id);

/**
 * The dev chat (mounted as is, under /dev): a page to talk to the bot as a patient would on
 * Messenger, Viber or SMS, its JSON API, and a proxy to the sandbox's staff actions (an allow-list).
 */
export function devRoutes(deps: DevRoutesDeps): Router {
  const router = new Router({ prefix: '/dev' });
  const mailbox = deps.mailbox ?? defaultDevMailbox;

  const page = (ctx: Context) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('cache-control', 'no-store');
    ctx.body = devPage();
  };
  router.get('/', page);

  router.get('/api/config', (ctx) => {
    ctx.body = {
      facilities: deps.facilities.map((f) => ({ id: f.id, name: f.name, locale: f.locale, timezone: f.timezone })),
      sandbox: Boolean(deps.sandboxStaffUrl),
    };
  });

  router.post('/api/messages', (ctx) => postMessage(deps, ctx));

  router.get('/api/messages', (ctx) => {
    const parsed = GetMessages.safeParse(ctx.query);
    if (!parsed.success) return badRequest(ctx, issues(parsed.error));
    const { facilityId, userId, after } = parsed.data;
    // answers come back on the POST; this lists what was pushed (reminders, notices, broadcasts)
    const messages = mailbox.since(facilityId, userId, after).filter((m) => m.purpose !== 'response');
    const all = mailbox.since(facilityId, userId, 0);
    ctx.body = { messages, last: all.at(-1)?.seq ?? after ?? 0 };
  });

  router.all('/api/staff/{*rest}', (ctx) => proxyStaffAction(deps, ctx));

  return router;
}

/** POST /dev/api/messages: the patient's message, through the conversation queue; answers with the bot's replies. */
async function postMessage(deps: DevRoutesDeps, ctx: Context): Promise<void> {
  const body = await readJson(ctx);
  if (!body.ok) return badRequest(ctx, 'body must be JSON');
  const parsed = PostMessage.safeParse(body.value);
  if (!parsed.success) return badRequest(ctx, issues(parsed.error));
  const p = parsed.data;
  if (!findFacility(deps, p.facilityId)) {
    ctx.status = 404;
    ctx.body = { error: 'unknown_facility', message: `no facility ${p.facilityId}` };
    return;
  }
  const kind = p.kind ?? 'message';
  if (kind === 'message' && !p.text && !p.choiceId) return badRequest(ctx, 'text or choiceId is required');
  const msg: InboundMessage = {
    id: `dev-${randomUUID()}`,
    facilityId: p.facilityId,
    channel: 'dev',
    channelUserId: p.userId,
    sentAt: new Date().toISOString(),
    kind,
    ...(p.text ? { text: p.text } : {}),
    ...(p.choiceId ? { choiceId: p.choiceId } : {}),
  };
  const out = await deps.engine.handle(msg);
  ctx.body = { replies: out.map((o) => o.reply) };
}

/** /dev/api/staff/<facility>/<action>: an allowed sandbox staff action, sent with the facility's provider credentials. */
async function proxyStaffAction(deps: DevRoutesDeps, ctx: Context): Promise<void> {
  // matched on the raw path, so an encoded `..%2F` or `%2F` never matches an allowed action
  const raw = ctx.path.slice('/dev/api/staff/'.length);
  const slash = raw.indexOf('/');
  const f = slash > 0 ? findFacility(deps, raw.slice(0, slash)) : undefined;
  const action = f ? staffAction(ctx.method, raw.slice(slash + 1)) : undefined;
  if (!deps.sandboxStaffUrl || !f || !action) {
    ctx.status = 404;
    ctx.body = {
      error: 'not_found',
      message: !deps.sandboxStaffUrl ? 'no sandbox in this server' : !f ? 'unknown facility' : `the dev chat does not proxy ${ctx.method} ${raw.slice(slash + 1)}`,
    };
    return;
  }
  const query = new URLSearchParams();
  for (const key of action.query ?? []) {
    const v = ctx.query[key];
    if (typeof v === 'string') query.set(key, v);
  }
  const body = action.method === 'GET' ? undefined : await getRawBody(ctx.req, { limit: '256kb', encoding: 'utf8' });
  const url = `${deps.sandboxStaffUrl(f.id).replace(/\/$/, '')}/${action.path}${query.size > 0 ? `?${query}` : ''}`;
  const res = await fetch(url, {
    method: action.method,
    headers: {
      authorization: `Basic ${Buffer.from(`${f.provider.userId}:${f.provider.apiKey}`).toString('base64')}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  ctx.status = res.status;
  const text = await res.text();
  ctx.type = res.headers.get('content-type') ?? 'application/json';
  ctx.body = text;
}
