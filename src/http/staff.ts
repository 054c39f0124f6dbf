import Router from '@koa/router';
import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Config } from '../config/schema.js';
import { listAudit, recordAudit, type AuditInput } from '../store/audit.js';
import { eraseContact, exportContact } from '../store/erasure.js';
import type { Store } from '../store/types.js';
import type { BroadcastDeps } from '../sync/broadcast.js';
import { broadcastProgress, broadcastRequestSchema, planBroadcast } from '../sync/broadcast.js';
import { badRequest, HttpError, notFound, unauthorized } from './errors.js';
import { readJson } from './raw-body.js';

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
export function staffAuth(credentials: readonly (StaffCredential | string)[]) {
  const known = credentials.map((c, i) => {
    const cred: StaffCredential = typeof c === 'string' ? { name: `staff-${i + 1}`, token: c, facilities: '*' } : c;
    return { member: { name: cred.name, facilities: cred.facilities } as StaffMember, digest: digest(cred.token) };
  });
  return async (ctx: Koa.Context, next: Koa.Next) => {
    const m = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
    const given = m?.[1] ? digest(m[1].trim()) : undefined;
    let found: StaffMember | undefined;
    if (given) for (const k of known) if (timingSafeEqual(k.digest, given) && !found) found = k.member;
    if (!found) throw unauthorized('a valid staff token is required');
    ctx.state.staff = found;
    await next();
  };
}

export const mayReach = (member: StaffMember, facilityId: string): boolean => member.facilities === '*' || member.facilities.includes(facilityId);

export interface StaffDeps {
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
  now?: () => Date;
}

const MAX_AUDIT_LIMIT = 1000;
/** our contact ids are uuids; anything of another shape names no one (and never reaches the audit log) */
const CONTACT_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** `/staff/v1/…`: bearer-token routes for the clinic's staff; each token reaches its facilities only. */
export function staffRoutes(deps: StaffDeps): Router {
  const router = new Router({ prefix: '/staff/v1' });
  const now = deps.now ?? (() => new Date());
  const known = new Set(deps.facilities);
  router.use(staffAuth(deps.staff));

  const member = (ctx: Koa.Context): StaffMember => ctx.state.staff as StaffMember;
  const audit = (ctx: Koa.Context, entry: Omit<AuditInput, 'actor' | 'at'>) => recordAudit(deps.store, { ...entry, actor: member(ctx).name, at: now() });

  /** 403 outside the token's facilities (whether or not the facility exists), 404 for an unknown one */
  const reach = (ctx: Koa.Context, facilityId: string) => {
    if (!mayReach(member(ctx), facilityId)) throw new HttpError(403, 'forbidden', `this staff token does not reach facility "${facilityId}"`);
    if (!known.has(facilityId)) throw notFound(`no facility "${facilityId}"`);
  };

  router.post('/broadcasts', async (ctx) => {
    let body: unknown;
    try {
      body = await readJson(ctx);
    } catch (e) {
      if (e instanceof HttpError && e.status === 413) throw e;
      throw badRequest('body is not JSON');
    }
    const parsed = broadcastRequestSchema.safeParse(body);
    if (!parsed.success) throw badRequest('invalid broadcast request', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
    reach(ctx, parsed.data.facilityId);
    const r = await planBroadcast(deps.broadcasts, parsed.data);
    await audit(ctx, {
      action: parsed.data.dryRun ? 'broadcast.dry-run' : 'broadcast.create',
      facilityId: parsed.data.facilityId,
      targets: { broadcastId: r.id },
      counts: { recipients: r.recipients, skipped: r.skipped },
      ...(r.existing && !parsed.data.dryRun ? { outcome: 'repeated' } : {}),
    });
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
    const facilityId = await deps.broadcastFacility(ctx.params.id!);
    if (!facilityId) throw notFound(`no broadcast "${ctx.params.id}"`);
    if (!mayReach(member(ctx), facilityId)) throw new HttpError(403, 'forbidden', 'this staff token does not reach that broadcast’s facility');
    const p = await broadcastProgress(deps.broadcasts, ctx.params.id!);
    if (!p) throw notFound(`no broadcast "${ctx.params.id}"`);
    ctx.body = p;
  });

  router.get('/facilities/:facilityId/undeliverable', async (ctx) => {
    reach(ctx, ctx.params.facilityId!);
    ctx.body = { items: (await deps.undeliverable?.(ctx.params.facilityId!)) ?? [] };
  });
  router.get('/facilities/:facilityId/attention', async (ctx) => {
    reach(ctx, ctx.params.facilityId!);
    ctx.body = { items: (await deps.attention?.(ctx.params.facilityId!)) ?? [] };
  });

  /** a refused privacy operation is recorded too (who tried, on which id) */
  const guarded = async (ctx: Koa.Context, action: string, facilityId: string, contactId: string) => {
    if (!CONTACT_ID.test(contactId)) throw badRequest('not a contact id');
    try {
      reach(ctx, facilityId);
    } catch (e) {
      if (e instanceof HttpError && e.status === 403 && known.has(facilityId)) await audit(ctx, { action, facilityId, targets: { contactId }, outcome: 'forbidden' });
      throw e;
    }
  };

  router.get('/facilities/:facilityId/contacts/:contactId/export', async (ctx) => {
    const { facilityId, contactId } = ctx.params as { facilityId: string; contactId: string };
    await guarded(ctx, 'contact.export', facilityId, contactId);
    const data = await exportContact(deps.store, facilityId, contactId, now());
    if (!data) {
      await audit(ctx, { action: 'contact.export', facilityId, targets: { contactId }, outcome: 'not_found' });
      throw notFound(`no contact "${contactId}" at "${facilityId}"`);
    }
    await audit(ctx, {
      action: 'contact.export',
      facilityId,
      targets: { contactId: data.contact.id, patientIds: data.patients.map((p) => p.id), appointmentIds: data.appointments.map((a) => a.appointmentId) },
    });
    ctx.set('Content-Disposition', `attachment; filename="contact-${data.contact.id}.json"`);
    ctx.body = data;
  });

  router.delete('/facilities/:facilityId/contacts/:contactId', async (ctx) => {
    const { facilityId, contactId } = ctx.params as { facilityId: string; contactId: string };
    await guarded(ctx, 'contact.erase', facilityId, contactId);
    const r = await eraseContact(deps.store, facilityId, contactId, now());
    if (!r) {
      await audit(ctx, { action: 'contact.erase', facilityId, targets: { contactId }, outcome: 'not_found' });
      throw notFound(`no contact "${contactId}" at "${facilityId}"`);
    }
    await audit(ctx, {
      action: 'contact.erase',
      facilityId,
      targets: { contactId: r.contactId, mergedIds: r.mergedIds, patientIds: [...r.patientsDeleted, ...r.patientsUnlinked], appointmentIds: r.appointmentsAnonymized },
      counts: { patientsDeleted: r.patientsDeleted.length, patientsUnlinked: r.patientsUnlinked.length, appointmentsAnonymized: r.appointmentsAnonymized.length, sendRecordsDeleted: r.sendRecordsDeleted, jobsRedacted: r.jobsRedacted, keysDeleted: r.keysDeleted },
    });
    ctx.body = { erased: true, ...r };
  });

  router.get('/audit', async (ctx) => {
    const q = ctx.query as Record<string, string | string[] | undefined>;
    const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const facilityId = one(q.facilityId);
    const rawLimit = one(q.limit);
    const limit = rawLimit === undefined ? 100 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) throw badRequest(`limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
    let facilities: string[];
    if (facilityId) {
      reach(ctx, facilityId);
      facilities = [facilityId];
    } else {
      const m = member(ctx);
      facilities = deps.facilities.filter((f) => mayReach(m, f));
    }
    ctx.body = { entries: await listAudit(deps.store, facilities, limit) };
  });
  return router;
}
