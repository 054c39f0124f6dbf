import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { FACILITY, JUAN, firstSlots, startReceiver, startSandbox, type Running } from './support.js';

const SECRET = `whsec_${Buffer.from('reschedule-new-id test secret').toString('base64')}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function withReceiver(newIdOnReschedule?: boolean) {
  const receiver = await startReceiver();
  const run = await startSandbox({
    facilities: [{ ...FACILITY, webhook: { url: receiver.url, secret: SECRET }, ...(newIdOnReschedule === undefined ? {} : { newIdOnReschedule }) }],
  });
  cleanups.push(receiver.close, run.close);
  return { receiver, run };
}

const juans = async (run: Running) => (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments as Record<string, string>[];

const events = (received: { raw: string; headers: Record<string, string> }[]) =>
  received.map(
    (r) =>
      new Webhook(SECRET).verify(r.raw, {
        'webhook-id': r.headers['webhook-id']!,
        'webhook-timestamp': r.headers['webhook-timestamp']!,
        'webhook-signature': r.headers['webhook-signature']!,
      }) as { type: string; data: { appointment: Record<string, string>; source: string } },
  );

describe('newIdOnReschedule', () => {
  it('answers and announces the new appointment under a new id; the old id reads CANCELED and its slot is free', async () => {
    const { receiver, run } = await withReceiver(true);
    const [old] = await juans(run);
    const target = (await firstSlots(run, '101', '1001')).at(-1)!;
    const key = randomUUID();
    const r = await run.api(`/appointments/${old!.appointmentId}/reschedule`, { method: 'PUT', headers: { 'idempotency-key': key }, body: { start: target.start } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'RESCHEDULED', start: target.start, end: target.end, calendarId: '101', appointmentTypeId: '1001', patientId: JUAN.patientId });
    expect(r.body.appointmentId).not.toBe(old!.appointmentId);
    expect(r.body.patient).toEqual(old!.patient);

    const listed = await juans(run);
    expect(listed.find((a) => a.appointmentId === old!.appointmentId)).toMatchObject({ status: 'CANCELED', start: old!.start });
    expect(listed.find((a) => a.appointmentId === r.body.appointmentId)).toEqual(r.body);

    const offered = (await firstSlots(run, '101', '1001')).map((s) => s.start);
    expect(offered).toContain(old!.start);
    expect(offered).not.toContain(target.start);

    // the same request again replays the same new appointment; the old id cannot be moved again
    const replay = await run.api(`/appointments/${old!.appointmentId}/reschedule`, { method: 'PUT', headers: { 'idempotency-key': key }, body: { start: target.start } });
    expect(replay.body).toEqual(r.body);
    const again = await run.api(`/appointments/${old!.appointmentId}/reschedule`, { method: 'PUT', body: { start: offered[0] } });
    expect(again.status).toBe(422);
    expect(again.body.error).toBe('invalid_status');
    // the new id is a normal appointment
    expect((await run.api(`/appointments/${r.body.appointmentId}/confirm`, { method: 'PUT' })).body).toMatchObject({ appointmentId: r.body.appointmentId, status: 'CONFIRMED' });

    await run.sandbox.flushWebhooks();
    const got = events(receiver.received);
    expect(got.map((e) => e.type)).toEqual(['appointmentRescheduled', 'appointmentConfirmed']);
    expect(got[0]!.data.appointment).toEqual(r.body);
    expect(got[0]!.data.source).toBe('bot');
  });

  it('applies to a staff reschedule too', async () => {
    const { run } = await withReceiver(true);
    const [old] = await juans(run);
    const target = (await firstSlots(run, '101', '1001'))[2]!;
    const r = await run.staff(`/appointments/${old!.appointmentId}/reschedule`, { method: 'PUT', body: { start: target.start } });
    expect(r.status).toBe(200);
    expect(r.body.appointmentId).not.toBe(old!.appointmentId);
    expect((await run.staff(`/appointments?status=CANCELED`)).body.appointments.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([old!.appointmentId]);
  });

  it('is off by default: the appointment keeps its id', async () => {
    const { run } = await withReceiver();
    const [old] = await juans(run);
    const target = (await firstSlots(run, '101', '1001')).at(-1)!;
    const r = await run.api(`/appointments/${old!.appointmentId}/reschedule`, { method: 'PUT', body: { start: target.start } });
    expect(r.body).toMatchObject({ appointmentId: old!.appointmentId, status: 'RESCHEDULED' });
    expect(await juans(run)).toHaveLength(1);
  });
});
