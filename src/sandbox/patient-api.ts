import type Router from '@koa/router';
import type { Context } from 'koa';
import { BOT, type ClinicResult, type SandboxAppointment } from './clinic.js';
import { authorizedFacility, type FacilityLookup, type FacilityState } from './facility.js';
import { SandboxHttpError, parseWith, readJson, unwrap } from './http.js';
import { parseBound, toIso } from './schedule.js';
import {
  AvailabilityQuery, CancelBody, CreateAppointmentBody, ListAppointmentsQuery, PatientQuery, RescheduleBody,
} from './schemas.js';

/** The eight endpoints of the provider contract (§1), under /sandbox/:facilityId/api/v1. */

type Ctx = Context & { params: Record<string, string> };

function query(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.query)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}

/** Stable JSON for comparing two bodies sent with one Idempotency-Key. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Runs a mutating call once per `Idempotency-Key`: a repeat with the same body gets the first success again
 * (same status, header `Idempotent-Replayed: true`) and changes nothing; a repeat with another body is 422.
 * Failures are not remembered, so a retry after a 409 or a 422 is a fresh attempt.
 */
function idempotent(ctx: Ctx, f: FacilityState, raw: unknown, status: number, run: () => ClinicResult<SandboxAppointment>): void {
  const key = ctx.get('idempotency-key');
  const slot = key ? `${ctx.method} ${ctx.path} ${key}` : undefined;
  const fingerprint = canonical(raw ?? null);
  const seen = slot ? f.idempotency.get(slot) : undefined;
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      throw new SandboxHttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
    }
    ctx.status = seen.status;
    ctx.body = seen.body;
    ctx.set('Idempotent-Replayed', 'true');
    return;
  }
  const body = f.clinic.toContract(unwrap(run()));
  if (slot) f.idempotency.set(slot, { fingerprint, status, body });
  ctx.status = status;
  ctx.body = body;
}

function appointmentOf(f: FacilityState, id: string): void {
  if (!f.clinic.get(id)) throw new SandboxHttpError(404, 'not_found', 'No such appointment');
}

export function mountPatientApi(router: Router, lookup: FacilityLookup): void {
  const base = '/sandbox/:facilityId/api/v1';

  router.get(`${base}/calendars`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    ctx.body = {
      calendars: f.clinic.calendars.map((c) => ({ id: c.id, name: c.name, timezone: c.timezone, appointmentTypes: c.appointmentTypes })),
    };
  });

  router.get(`${base}/patient`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const q = parseWith(PatientQuery, query(ctx));
    const p = f.clinic.findPatient(q);
    if (!p) throw new SandboxHttpError(404, 'patient_not_found', 'No patient matches');
    ctx.body = f.clinic.patientView(p);
  });

  router.get(`${base}/availability`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const q = parseWith(AvailabilityQuery, query(ctx));
    const slots = unwrap(f.clinic.availability(q.calendar_id, q.appointment_type_id, q.month));
    const zone = f.clinic.zone;
    ctx.body = { timezone: zone, slots: slots.map((s) => ({ start: toIso(s.start, zone), end: toIso(s.end, zone) })) };
  });

  router.post(`${base}/appointments`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const raw = await readJson(ctx);
    const body = parseWith(CreateAppointmentBody, raw);
    idempotent(ctx, f, raw, 201, () => f.clinic.book(body, BOT));
  });

  router.get(`${base}/appointments`, (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const q = parseWith(ListAppointmentsQuery, query(ctx));
    const bound = (raw: string | undefined, end: boolean) => {
      if (raw === undefined) return undefined;
      const ms = parseBound(raw, f.clinic.zone, end);
      if (ms === undefined) throw new SandboxHttpError(400, 'invalid_request', `${end ? 'to' : 'from'} must be a date or an ISO date-time`);
      return ms;
    };
    const list = f.clinic.appointmentsOf({ patientId: q.patientId, temporaryPatientId: q.temporaryPatientId, from: bound(q.from, false), to: bound(q.to, true) });
    ctx.body = { appointments: list.map((a) => f.clinic.toContract(a)) };
  });

  router.put(`${base}/appointments/:id/reschedule`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const id = ctx.params.id ?? '';
    appointmentOf(f, id);
    const raw = await readJson(ctx);
    const body = parseWith(RescheduleBody, raw);
    idempotent(ctx, f, raw, 200, () => f.clinic.reschedule(id, body.start, BOT));
  });

  router.put(`${base}/appointments/:id/cancel`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    const id = ctx.params.id ?? '';
    appointmentOf(f, id);
    const raw = await readJson(ctx);
    const body = parseWith(CancelBody, raw);
    idempotent(ctx, f, raw, 200, () => f.clinic.cancel(id, body?.reason, BOT));
  });

  router.put(`${base}/appointments/:id/confirm`, async (ctx) => {
    const f = authorizedFacility(ctx, lookup);
    if (!f.supportsConfirm) throw new SandboxHttpError(404, 'not_found', 'This facility has no confirm endpoint');
    const id = ctx.params.id ?? '';
    appointmentOf(f, id);
    const raw = await readJson(ctx);
    idempotent(ctx, f, raw, 200, () => f.clinic.confirm(id, BOT));
  });
}
