import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';

/**
 * A deliberately broken provider (a real Koa app): no auth check, numeric ids, a bare calendar array, date-times
 * without offset, 200 null for a missing patient, a create that ignores Idempotency-Key and double-books,
 * `{"msg"}` errors, no confirm endpoint. Mounted under /api/v1.
 */

interface Booked {
  appointmentId: number;
  status: string;
  start: string;
  calendarId: number;
  appointmentTypeId: number;
  temporaryPatientId: string;
  patient: unknown;
  updatedAt: string;
}

export function brokenProvider(): Koa {
  const booked = new Map<number, Booked>();
  let next = 7000;
  const router = new Router({ prefix: '/api/v1' });
  router.get('/calendars', (ctx) => {
    ctx.body = [
      { id: 101, name: 'Dr. Santos', appointmentTypes: [{ id: 1001, name: 'Consultation' }] },
      { id: 102, name: 'Laboratory' },
    ];
  });
  router.get('/patient', (ctx) => {
    if (!ctx.query.name || !ctx.query.phone) {
      ctx.status = 400;
      ctx.body = { msg: 'name and phone please' };
      return;
    }
    // a literal JSON null (Koa would turn `ctx.body = null` into a 204)
    ctx.type = 'application/json';
    ctx.body = 'null';
  });
  router.get('/availability', (ctx) => {
    ctx.body =
      ctx.query.month === '2026-03'
        ? { slots: [{ start: '2026-03-10T09:00:00' }, { start: '2026-03-10T09:30:00' }] }
        : { dates: [{ date: '2026-04-20', times: ['09:00', '10:00'] }] };
  });
  router.post('/appointments', async (ctx) => {
    const body = JSON.parse((await getRawBody(ctx.req)).toString('utf8')) as { start: string; patient: unknown };
    const a: Booked = {
      appointmentId: next++, status: 'SCHEDULED', start: body.start, calendarId: 101, appointmentTypeId: 1001,
      temporaryPatientId: 'T-1', patient: body.patient, updatedAt: '2026-03-02T09:00:00',
    };
    booked.set(a.appointmentId, a);
    ctx.status = 201;
    ctx.body = a;
  });
  router.get('/appointments', (ctx) => {
    ctx.body = { appointments: [...booked.values()] };
  });
  const find = (id: string | undefined) => booked.get(Number(id));
  router.put('/appointments/:id/reschedule', async (ctx) => {
    const a = find(ctx.params.id);
    const body = JSON.parse((await getRawBody(ctx.req)).toString('utf8')) as { start: string };
    if (!a) return void ((ctx.status = 404), (ctx.body = { msg: 'gone' }));
    Object.assign(a, { start: body.start, status: 'RESCHEDULED' });
    ctx.body = a;
  });
  router.put('/appointments/:id/cancel', (ctx) => {
    const a = find(ctx.params.id);
    if (!a) return void ((ctx.status = 404), (ctx.body = { msg: 'gone' }));
    if (a.status === 'CANCELED') return void ((ctx.status = 409), (ctx.body = { msg: 'already cancelled' }));
    a.status = 'CANCELED';
    ctx.body = a;
  });
  router.put('/appointments/:id/confirm', (ctx) => {
    ctx.status = 405;
    ctx.body = 'Method Not Allowed';
  });
  const app = new Koa();
  app.use(router.routes());
  return app;
}

