import type Router from '@koa/router';
import { parseStatus } from '../core/status.js';
import type { Actor } from './clinic.js';
import { authorizedFacility, type FacilityLookup } from './facility.js';
import { SandboxHttpError, parseWith, readJson, unwrap } from './http.js';
import { localDays } from './schedule.js';
import {
  AssignPatientBody, BulkBody, CancelBody, StaffCheckInBody, StaffCreateBody, StaffListQuery, StaffRescheduleBody, WebhookTargetBody,
} from './schemas.js';
import { webhookSecretProblem, webhookTargetProblem, type DeliveryView } from './webhooks.js';

/**
 * What the hospital's staff do in their own system (desk, walk-in, check-in…), under /sandbox/:facilityId/staff.
 * Same Basic credentials as the patient API. No reschedule/cancel cutoff applies to staff, but the rules of a real
 * front desk do (errors are `{"error","message"}`):
 * - check-in only on the appointment's local day, from CHECK_IN_OPENS_HOURS before its start
 *   (422 `check_in_not_open` / `check_in_closed`), once: 409 `already_checked_in` (the first queue number stays);
 * - no-show only once its start has passed (422 `no_show_too_early`), never after a check-in (409 `already_checked_in`),
 *   once (409 `already_no_show`);
 * - nothing on a cancelled appointment: 422 `invalid_status`, and a second cancel is 409 `already_canceled`
 *   (the patient API keeps the contract's "cancelling a cancelled appointment is a success").
 * The clock is the sandbox's `now()` (injectable), never the caller's.
 */

const staff = (overbook: boolean): Actor => ({ source: 'staff', enforceCutoff: false, slotPolicy: overbook ? 'any' : 'free' });

export interface StaffHooks {
  setWebhookTarget(facilityId: string, url: string, secret?: string): void;
  deliveries(facilityId: string): DeliveryView[];
}

const BASE = '/sandbox/:facilityId/staff';

export function mountStaffApi(router: Router, lookup: FacilityLookup, hooks: StaffHooks): void {
  // the desk's doctor column and booking form
  router.get(`${BASE}/calendars`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    ctx.body = { calendars: f.clinic.calendars.map((c) => ({ id: c.id, name: c.name, timezone: c.timezone, appointmentTypes: c.appointmentTypes })) };
  });
  mountAppointmentBooking(router, lookup);
  mountAppointmentChanges(router, lookup);
  mountPatients(router, lookup);
  mountWebhookTarget(router, lookup, hooks);
}

/** List and book (one, or many on one date at once) */
function mountAppointmentBooking(router: Router, lookup: FacilityLookup): void {
  router.get(`${BASE}/appointments`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const q = parseWith(StaffListQuery, ctx.query);
    const status = q.status === undefined ? undefined : parseStatus(q.status);
    const days = localDays(f.clinic.zone);
    const list = f.clinic.all().filter(
      (a) =>
        (q.calendarId === undefined || a.calendarId === q.calendarId) &&
        (status === undefined || a.status === status) &&
        (q.date === undefined || days.dayAt(a.start).date === q.date),
    );
    ctx.body = { appointments: list.map((a) => ({ ...f.clinic.toContract(a), source: a.source })) };
  });

  router.post(`${BASE}/appointments`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(StaffCreateBody, await readJson(ctx));
    const actor: Actor = { ...staff(body.overbook || body.source === 'walk-in'), source: body.source };
    const a = unwrap(f.clinic.book(body, actor));
    ctx.status = 201;
    ctx.body = f.clinic.toContract(a);
  });

  router.post(`${BASE}/appointments/bulk`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(BulkBody, await readJson(ctx));
    const list = unwrap(f.clinic.bulk(body.date, body.count, body.calendarId, body.source, body.notify));
    ctx.status = 201;
    ctx.body = { created: list.length, appointments: list.map((a) => f.clinic.toContract(a)) };
  });
}

/** Reschedule, cancel, confirm, check in, mark a no-show */
function mountAppointmentChanges(router: Router, lookup: FacilityLookup): void {
  router.put(`${BASE}/appointments/:id/reschedule`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(StaffRescheduleBody, await readJson(ctx));
    ctx.body = f.clinic.toContract(unwrap(f.clinic.reschedule(ctx.params.id ?? '', body.start, staff(body.overbook))));
  });

  router.put(`${BASE}/appointments/:id/cancel`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(CancelBody, await readJson(ctx));
    ctx.body = f.clinic.toContract(unwrap(f.clinic.cancel(ctx.params.id ?? '', body?.reason, staff(false))));
  });

  router.put(`${BASE}/appointments/:id/confirm`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    await readJson(ctx);
    ctx.body = f.clinic.toContract(unwrap(f.clinic.confirm(ctx.params.id ?? '', staff(false))));
  });

  router.put(`${BASE}/appointments/:id/check-in`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(StaffCheckInBody, await readJson(ctx));
    ctx.body = f.clinic.toContract(unwrap(f.clinic.checkIn(ctx.params.id ?? '', body?.queueNumber, 'staff')));
  });

  router.put(`${BASE}/appointments/:id/no-show`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    await readJson(ctx);
    ctx.body = f.clinic.toContract(unwrap(f.clinic.noShow(ctx.params.id ?? '', 'staff')));
  });
}

/** The patient records, and giving a temporary patient its real id */
function mountPatients(router: Router, lookup: FacilityLookup): void {
  router.get(`${BASE}/patients`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    ctx.body = { patients: f.clinic.patientRecords().map((p) => f.clinic.patientView(p)) };
  });

  router.post(`${BASE}/patients/:temporaryPatientId/assign`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(AssignPatientBody, await readJson(ctx));
    const r = unwrap(f.clinic.assignPatientId(ctx.params.temporaryPatientId ?? '', body?.patientId));
    ctx.body = { patient: f.clinic.patientView(r.patient), movedAppointments: r.moved };
  });
}

/** Where the facility's webhooks go, and what was delivered there */
function mountWebhookTarget(router: Router, lookup: FacilityLookup, hooks: StaffHooks): void {
  // only to the bot's own provider-webhook route on this machine; the secret is never echoed (send your own)
  router.put(`${BASE}/webhook`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const body = parseWith(WebhookTargetBody, await readJson(ctx));
    const problem =
      webhookTargetProblem(body.url, f.id) ??
      (body.secret !== undefined ? webhookSecretProblem(body.secret) : f.webhook ? undefined : 'secret is required (whsec_…): this answer never shows one');
    if (problem) throw new SandboxHttpError(400, 'webhook_not_allowed', problem);
    hooks.setWebhookTarget(f.id, body.url, body.secret);
    ctx.body = { url: body.url, secretChanged: body.secret !== undefined };
  });

  router.get(`${BASE}/webhook/deliveries`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    ctx.body = { deliveries: hooks.deliveries(f.id) };
  });
}
