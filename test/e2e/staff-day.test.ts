/**
 * Issue 13, "Today" for the desk: the day's appointments from the mirror (time, doctor, patient, status, the
 * channel that reaches them, the reminder's state) and the call list (open appointments nobody confirmed,
 * or whom no channel reaches), through the staff API, after real desk bookings over the sandbox's webhooks.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { eventually, FACILITY, postSms, providerEventApplied, SECRETS, smsParams, staffCall, useService } from '../support/frontdesk.js';

const ZONE = 'Asia/Manila';
const svc = useService();

const day = (() => {
  let d = DateTime.now().setZone(ZONE).plus({ days: 5 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  if (d.weekday === 7) d = d.plus({ days: 1 });
  return d;
})();

async function deskBook(phone: string, name: string, start: DateTime) {
  const r = await staffCall(svc.fd.base, 'POST', '/appointments', { calendarId: '102', appointmentTypeId: '1011', start: start.toISO(), patient: { name, phone }, overbook: true });
  expect(r.status).toBe(201);
  const deliveries = await eventually(() => {
    const ds = svc.fd.sandbox!.deliveries(FACILITY);
    return ds.every((d) => d.status === 'delivered') ? ds : undefined;
  }, 'sandbox deliveries delivered');
  for (const d of deliveries) await eventually(async () => await providerEventApplied(svc.fd, FACILITY, d.id), `provider event ${d.type}`);
  return r.body as { appointmentId: string };
}

const get = async (path: string) => {
  const res = await fetch(`${svc.fd.base}/staff/v1${path}`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe("the desk's day", () => {
  it('lists the day in time order with doctor, patient, reachable channel and reminder state; the call list names whom to phone', async () => {
    const later = await deskBook('+639171120002', 'Rosa Lim', day.set({ hour: 15 }));
    const earlier = await deskBook('+639171120001', 'Ben Cruz', day.set({ hour: 10 }));
    // Rosa replies STOP: no channel reaches her any more
    expect((await postSms(svc.fd.base, smsParams('+639171120002', 'STOP'))).status).toBe(200);
    await eventually(async () => (await svc.fd.store.contacts.byVerifiedPhone(FACILITY, '+639171120002'))?.channels?.sms?.optedOut || undefined, 'opt-out recorded');

    const date = day.toISODate()!;
    const r = await get(`/facilities/${FACILITY}/appointments?date=${date}`);
    expect(r.status).toBe(200);
    const ours = (r.body.appointments as { appointmentId: string; doctor?: string | null }[]).filter((a) => [earlier.appointmentId, later.appointmentId].includes(a.appointmentId));
    expect(ours.map((a) => a.appointmentId)).toEqual([earlier.appointmentId, later.appointmentId]);
    expect(ours[0]).toMatchObject({ status: 'SCHEDULED', patient: { name: 'Ben Cruz', phone: '+639171120001' }, channel: 'sms', reminder: 'planned' });
    expect(ours[0]!.doctor).toMatch(/Reyes/);
    expect(ours[1]).toMatchObject({ patient: { name: 'Rosa Lim' }, channel: null, unreachable: 'opted_out' });

    const calls = (await get(`/facilities/${FACILITY}/call-list?date=${date}`)).body.calls as { appointmentId: string; why: string }[];
    expect(calls.find((c) => c.appointmentId === later.appointmentId)).toMatchObject({ why: 'no_channel' });
    expect(calls.find((c) => c.appointmentId === earlier.appointmentId)).toMatchObject({ why: 'unconfirmed' });

    expect((await get(`/facilities/${FACILITY}/appointments?date=tomorrow`)).status).toBe(400);
    expect((await get(`/facilities/nowhere/appointments?date=${date}`)).status).toBe(404);
    expect((await fetch(`${svc.fd.base}/staff/v1/facilities/${FACILITY}/appointments?date=${date}`)).status).toBe(401);
  });
});
