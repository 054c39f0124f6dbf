import Router from '@koa/router';
import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Config } from '../config/schema.js';
import { listAudit, recordAudit, type AuditInput } from '../store/audit.js';
import { eraseContact, exportContact } from '../store/erasure.js';
import type { Store } from '../store/types.js';
import type { BroadcastDeps } from '../sync/broadcast.js';
import { badRequest, HttpError, notFound, unauthorized } from './errors.js';
import { mountBroadcastRoutes } from './staff-broadcasts.js';
import { mountDayRoutes } from './staff-day.js';
import { mountSurveyRoutes } from './staff-surveys.js';
import { LiveStreams, mountLiveRoutes } from './staff-live.js';
import { mountTicketRoutes, type TicketActions } from './staff-tickets.js';
import type { AuthLimiter } from './staff-auth-limit.js';

/** Who a staff token is: its name (the audit log's "who") and the facilities it reaches. */
export interface StaffMember {
  name: string;
  facilities: '*' | readonly string[];
}

export interface StaffCredential extends StaffMember {
  token: string;
}

/** `staff` entries, and each of `staffTokens` as an all-facility member named `staff-1`, `staff-2`… */
export function staffCredentials(config: Pick<Config, 'staffTokens'> & { staff?: Config['staff'] }): StaffCredential[] {
  return [...config.staffTokens.map((token, i): StaffCredential => ({ name: `staff-${i + 1}`, token, facilities: '*' })), ...(config.staff ?? [])];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer check against every staff token, constant-time: hashes first (so lengths never leak) and
 * compares with every token, whatever matched. Sets `ctx.state.staff` to the member.
 */
export function staffAuth(credentials: readonly (StaffCredential | string)[], sessions?: SessionMembers, limiter?: AuthLimiter) {
  const find = memberOfToken(credentials);
  return async (ctx: Koa.Context, next: Koa.Next) => {
    const m = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
    if (m?.[1]) await limiter?.check(ctx);
    // the console's cookie counts only without a bearer token (and checks its CSRF token on every change)
    const found = m?.[1] ? find(m[1].trim()) : await sessions?.memberOf(ctx);
    if (!found && m?.[1]) await limiter?.refused(ctx);
    if (!found) throw unauthorized('a valid staff token is required');
    ctx.state.staff = found;
    await next();
  };
}

/** A signed-in console's member, for a request carrying its cookie (src/http/staff-session.ts). */
export interface SessionMembers {
  memberOf(ctx: Koa.Context): Promise<StaffMember | undefined>;
}

/** the member a token is, compared in constant time with every token whatever matched; also by token digest */
export function memberOfToken(credentials: readonly (StaffCredential | string)[]): (token: string, isDigest?: boolean) => StaffMember | undefined {
  const known = credentials.map((c, i) => {
    const cred: StaffCredential = typeof c === 'string' ? { name: `staff-${i + 1}`, token: c, facilities: '*' } : c;
    return { member: { name: cred.name, facilities: cred.facilities } as StaffMember, digest: digest(cred.token) };
  });
  return (token, isDigest = false) => {
    const given = isDigest ? Buffer.from(token, 'base64url') : digest(token);
    if (given.length !== 32) return undefined;
    let found: StaffMember | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, given) && !found) found = k.member;
    return found;
  };
}

export const tokenDigest = (token: string): string => digest(token).toString('base64url');

export const mayReach = (member: StaffMember, facilityId: string): boolean => member.facilities === '*' || member.facilities.includes(facilityId);

export interface StaffDeps {
  /** refused bearer tokens count against the client (429 past the limit) */
  authLimit?: AuthLimiter;
  staff: readonly StaffCredential[];
  store: Store;
  broadcasts: BroadcastDeps;
  /** every configured facility id */
  facilities: readonly string[];
  /** the facility a broadcast was made for */
  broadcastFacility(id: string): Promise<string | undefined>;
  /** sends that no channel could carry, for staff to follow up by phone */
  undeliverable?(facilityId: string): Promise<unknown[]>;
  /** patients who asked for a person; confirmations the provider could not record */
  attention?(facilityId: string): Promise<unknown[]>;
  /** a sent message's outcome (the day's reminder states) */
  sendStatus?(messageId: string): Promise<string | undefined>;
  /** replies and hand-backs of tickets (the outbox, texts) */
  tickets?: TicketActions;
  now?: () => Date;
  /** the console's signed-in sessions (cookie + CSRF), accepted where no bearer token is given */
  sessions?: SessionMembers;
  /** the console's open event streams */
  live?: LiveStreams;
  facilityNames?: (id: string) => string | undefined;
  /** a facility's time zone: the console shows times and "today" in it, not in the browser's */
  facilityZones?: (id: string) => string | undefined;
}

const MAX_AUDIT_LIMIT = 1000;
/** our contact ids are uuids; anything of another shape names no one (and never reaches the audit log) */
const CONTACT_ID = /^[A-Za-z0-9._:-]{1,200}$/;

type StaffContext = Router.RouterContext;

/** What every staff route shares: who the token is, which facilities it reaches, the audit log. */
class StaffScope {
  private readonly known: Set<string>;

  constructor(
    readonly deps: StaffDeps,
    readonly now: () => Date,
  ) {
    this.known = new Set(deps.facilities);
  }

  member(ctx: Koa.Context): StaffMember {
    return ctx.state.staff as StaffMember;
  }

  audit(ctx: Koa.Context, entry: Omit<AuditInput, 'actor' | 'at'>) {
    return recordAudit(this.deps.store, { ...entry, actor: this.member(ctx).name, at: this.now() });
  }

  /** 403 outside the token's facilities (whether or not the facility exists), 404 for an unknown one */
  reach(ctx: Koa.Context, facilityId: string): void {
    if (!mayReach(this.member(ctx), facilityId)) throw new HttpError(403, 'forbidden', `this staff token does not reach facility "${facilityId}"`);
    if (!this.known.has(facilityId)) throw notFound(`no facility "${facilityId}"`);
  }

  /** every configured facility this token reaches */
  reachable(ctx: Koa.Context): string[] {
    const m = this.member(ctx);
    return this.deps.facilities.filter((f) => mayReach(m, f));
  }

  /** a refused privacy operation is recorded too (who tried, on which id) */
  async guarded(ctx: Koa.Context, action: string, facilityId: string, contactId: string): Promise<void> {
    if (!CONTACT_ID.test(contactId)) throw badRequest('not a contact id');
    try {
      this.reach(ctx, facilityId);
    } catch (e) {
      if (e instanceof HttpError && e.status === 403 && this.known.has(facilityId)) await this.audit(ctx, { action, facilityId, targets: { contactId }, outcome: 'forbidden' });
      throw e;
    }
  }
}

/** `/staff/v1/…`: bearer-token routes for the clinic's staff; each token reaches its facilities only. */
export function staffRoutes(deps: StaffDeps): Router {
  const router = new Router({ prefix: '/staff/v1' });
  const scope = new StaffScope(deps, deps.now ?? (() => new Date()));
  router.use(staffAuth(deps.staff, deps.sessions, deps.authLimit));

  mountBroadcastRoutes(router, scope);
  router.get('/facilities/:facilityId/undeliverable', async (ctx) => {
    scope.reach(ctx, ctx.params.facilityId!);
    ctx.body = { items: (await deps.undeliverable?.(ctx.params.facilityId!)) ?? [] };
  });
  router.get('/facilities/:facilityId/attention', async (ctx) => {
    scope.reach(ctx, ctx.params.facilityId!);
    ctx.body = { items: (await deps.attention?.(ctx.params.facilityId!)) ?? [] };
  });
  router.get('/facilities/:facilityId/contacts/:contactId/export', (ctx) => exportContactData(scope, ctx));
  router.delete('/facilities/:facilityId/contacts/:contactId', (ctx) => eraseContactData(scope, ctx));
  router.get('/audit', (ctx) => auditEntries(scope, ctx));
  mountTicketRoutes(router, scope);
  mountDayRoutes(router, scope);
  mountSurveyRoutes(router, scope);
  mountLiveRoutes(router, scope, deps.live ?? new LiveStreams());
  return router;
}

/** GET …/contacts/:contactId/export: everything held on a contact, as a download. */
async function exportContactData(scope: StaffScope, ctx: StaffContext): Promise<void> {
  const { facilityId, contactId } = ctx.params as { facilityId: string; contactId: string };
  await scope.guarded(ctx, 'contact.export', facilityId, contactId);
  const data = await exportContact(scope.deps.store, facilityId, contactId, scope.now());
  if (!data) {
    await scope.audit(ctx, { action: 'contact.export', facilityId, targets: { contactId }, outcome: 'not_found' });
    throw notFound(`no contact "${contactId}" at "${facilityId}"`);
  }
  await scope.audit(ctx, {
    action: 'contact.export',
    facilityId,
    targets: { contactId: data.contact.id, patientIds: data.patients.map((p) => p.id), appointmentIds: data.appointments.map((a) => a.appointmentId) },
  });
  ctx.set('Content-Disposition', `attachment; filename="contact-${data.contact.id}.json"`);
  ctx.body = data;
}

/** DELETE …/contacts/:contactId: erases a contact (and what only it holds). */
async function eraseContactData(scope: StaffScope, ctx: StaffContext): Promise<void> {
  const { facilityId, contactId } = ctx.params as { facilityId: string; contactId: string };
  await scope.guarded(ctx, 'contact.erase', facilityId, contactId);
  const r = await eraseContact(scope.deps.store, facilityId, contactId, scope.now());
  if (!r) {
    await scope.audit(ctx, { action: 'contact.erase', facilityId, targets: { contactId }, outcome: 'not_found' });
    throw notFound(`no contact "${contactId}" at "${facilityId}"`);
  }
  await scope.audit(ctx, {
    action: 'contact.erase',
    facilityId,
    targets: { contactId: r.contactId, mergedIds: r.mergedIds, patientIds: [...r.patientsDeleted, ...r.patientsUnlinked], appointmentIds: r.appointmentsAnonymized },
    counts: { patientsDeleted: r.patientsDeleted.length, patientsUnlinked: r.patientsUnlinked.length, appointmentsAnonymized: r.appointmentsAnonymized.length, sendRecordsDeleted: r.sendRecordsDeleted, jobsRedacted: r.jobsRedacted, keysDeleted: r.keysDeleted },
  });
  ctx.body = { erased: true, ...r };
}

/** GET /audit: the latest entries of one facility, or of every facility the token reaches. */
async function auditEntries(scope: StaffScope, ctx: StaffContext): Promise<void> {
  const q = ctx.query as Record<string, string | string[] | undefined>;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const facilityId = one(q.facilityId);
  const rawLimit = one(q.limit);
  const limit = rawLimit === undefined ? 100 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) throw badRequest(`limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
  let facilities: string[];
  if (facilityId) {
    scope.reach(ctx, facilityId);
    facilities = [facilityId];
  } else {
    const m = scope.member(ctx);
    facilities = scope.deps.facilities.filter((f) => mayReach(m, f));
  }
  ctx.body = { entries: await listAudit(scope.deps.store, facilities, limit) };
}
