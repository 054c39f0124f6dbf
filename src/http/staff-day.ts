import type Router from '@koa/router';
import type Koa from 'koa';
import type { Appointment } from '../core/domain.js';
import { isClosed } from '../core/status.js';
import type { Store } from '../store/types.js';
import { reachable } from '../sync/broadcast.js';
import { pickAddress } from '../sync/notices.js';
import { badRequest } from './errors.js';

/** The parts of the staff scope the day's views use (src/http/staff.ts). */
export interface DayScope {
  readonly deps: { store: Store; sendStatus?(messageId: string): Promise<string | undefined> };
  reach(ctx: Koa.Context, facilityId: string): void;
}

/** `not_delivered`: sent, then the platform said it never arrived */
type ReminderState = 'none' | 'planned' | 'sent' | 'not_delivered' | 'undeliverable' | 'failed';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `/facilities/:id/appointments?date=` (the day from the mirror) and `/facilities/:id/call-list?date=` (whom to phone). */
export function mountDayRoutes(router: Router, scope: DayScope): void {
  router.get('/facilities/:facilityId/appointments', async (ctx) => {
    const { facilityId, date } = dayOf(scope, ctx);
    ctx.body = { facilityId, date, appointments: await dayRows(scope, facilityId, date) };
  });
  router.get('/facilities/:facilityId/call-list', async (ctx) => {
    const { facilityId, date } = dayOf(scope, ctx);
    const rows = await dayRows(scope, facilityId, date);
    // open appointments nobody confirmed, or whose reminder no channel could carry: the desk phones them
    const calls = rows.filter((r) => !isClosed(r.status) && r.status !== 'CONFIRMED' && r.status !== 'SHOW').filter((r) => r.reminder !== 'sent' || !r.channel);
    ctx.body = { facilityId, date, calls: calls.map((r) => ({ ...r, why: !r.channel ? 'no_channel' : r.reminder === 'none' || r.reminder === 'planned' ? 'unconfirmed' : 'reminder_' + r.reminder })) };
  });
}

function dayOf(scope: DayScope, ctx: Koa.Context): { facilityId: string; date: string } {
  const facilityId = String((ctx as Router.RouterContext).params.facilityId);
  scope.reach(ctx, facilityId);
  const date = String((ctx.query as Record<string, unknown>).date ?? '');
  if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw badRequest('date must be YYYY-MM-DD (the facility-local day)');
  return { facilityId, date };
}

/** the day's appointments in time order, each with its doctor, patient, status, the channel that reaches them and the reminder's state */
async function dayRows(scope: DayScope, facilityId: string, date: string) {
  const { store } = scope.deps;
  const calendars = new Map(((await store.calendars.get(facilityId))?.calendars ?? []).map((c) => [c.id, c.name]));
  const day = (await store.appointments.byDay(facilityId, date)).sort((a, b) => a.start.localeCompare(b.start));
  return Promise.all(
    day.map(async (a) => {
      const contact = a.contactId ? await store.contacts.get(facilityId, a.contactId) : undefined;
      const skip = reachable(contact);
      return {
        appointmentId: a.appointmentId,
        start: a.start,
        status: a.status,
        calendarId: a.calendarId,
        doctor: calendars.get(a.calendarId) ?? null,
        patient: { name: a.patient.name, phone: a.patient.phone },
        ...(a.queueNumber ? { queueNumber: a.queueNumber } : {}),
        ...(a.contactId ? { contactId: a.contactId } : {}),
        channel: contact && !skip ? (pickAddress(contact)?.channel ?? null) : null,
        ...(skip ? { unreachable: skip } : {}),
        reminder: await reminderState(scope, a),
      };
    }),
  );
}

/** the latest planned reminder's outcome (its notice's send record is `send:<jobId>`) */
async function reminderState(scope: DayScope, a: Appointment): Promise<ReminderState> {
  const ids = a.reminderJobIds ?? [];
  if (ids.length === 0) return 'none';
  const statuses = await Promise.all(ids.map((id) => scope.deps.sendStatus?.(`send:${id}`)));
  if (statuses.includes('sent')) return 'sent';
  if (statuses.includes('not_delivered')) return 'not_delivered';
  if (statuses.includes('undeliverable')) return 'undeliverable';
  if (statuses.includes('failed')) return 'failed';
  return 'planned';
}
