import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slot } from '../../src/core/domain.js';
import type { ProviderClient } from '../../src/core/provider.js';
import { createLogger } from '../../src/log.js';
import { createProviderClient } from '../../src/provider/client.js';
import { createSandbox } from '../../src/sandbox/index.js';

const ZONE = 'Asia/Manila';
const creds = (id: string) => ({ userId: `${id}-user`, apiKey: `${id}-key-${Math.random().toString(36).slice(2)}` });
const facilities = {
  main: { id: 'prov-main', timezone: ZONE, cutoffHours: 24, supportsConfirm: true, ...creds('prov-main') },
  noConfirm: { id: 'prov-noconfirm', timezone: ZONE, supportsConfirm: false, ...creds('prov-noconfirm') },
  strict: { id: 'prov-strict', timezone: ZONE, cutoffHours: 24 * 365, ...creds('prov-strict') },
};
const juan = { name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567' };

let sandbox: ReturnType<typeof createSandbox>;
let server: Server;
let base: string;

const clientOf = (f: { id: string; userId: string; apiKey: string }, apiKey = f.apiKey): ProviderClient =>
  createProviderClient({ facilityId: f.id, baseUrl: `${base}/sandbox/${f.id}/api/v1`, userId: f.userId, apiKey, timezone: ZONE, timeoutMs: 20_000, retry: { initialDelayMs: 10, maxDelayMs: 50 } });

beforeAll(async () => {
  sandbox = createSandbox({ facilities: Object.values(facilities), seed: 7, logger: createLogger({ level: 'silent' }) });
  server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await sandbox?.stop();
});

/** Open slots of a calendar/type over this month and the next two, in order. */
async function openSlots(client: ProviderClient, calendarId: string, appointmentTypeId: string): Promise<Slot[]> {
  const slots: Slot[] = [];
  for (let i = 0; i < 3; i++) {
    const month = DateTime.now().setZone(ZONE).plus({ months: i }).toFormat('yyyy-MM');
    const r = await client.availability({ month, calendarId, appointmentTypeId });
    if (!r.ok) throw new Error(`availability failed: ${r.error.kind} ${r.error.message}`);
    slots.push(...r.value);
  }
  return slots;
}

const daysAhead = (iso: string) => DateTime.fromISO(iso).diffNow('days').days;

describe('provider client against the sandbox provider (real HTTP)', () => {
  it('books, lists, reschedules and cancels; the same Idempotency-Key books once; a taken slot is slot_unavailable', async () => {
    const client = clientOf(facilities.main);

    const calendars = await client.listCalendars();
    expect(calendars.ok).toBe(true);
    if (!calendars.ok) return;
    const cal = calendars.value.find((c) => c.id === '101');
    expect(cal?.appointmentTypes.map((t) => t.id)).toEqual(['1001', '1002']);

    const patient = await client.findPatient(juan);
    expect(patient).toMatchObject({ ok: true, value: { patientId: 'P-100001' } });
    expect(await client.findPatient({ ...juan, dob: '1999-01-01' })).toEqual({ ok: true, value: null });

    const slots = (await openSlots(client, '101', '1001')).filter((s) => daysAhead(s.start) > 3);
    expect(slots.length).toBeGreaterThan(2);
    for (const s of slots) expect(s.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    const [first, second] = slots as [Slot, Slot];

    const before = await client.listAppointments({ patientId: 'P-100001' });
    expect(before.ok).toBe(true);
    const countBefore = before.ok ? before.value.length : NaN;

    const input = { calendarId: '101', appointmentTypeId: '1001', start: first.start, patientId: 'P-100001', patient: juan };
    const key = crypto.randomUUID();
    const created = await client.createAppointment(input, key);
    expect(created).toMatchObject({ ok: true, value: { status: 'SCHEDULED', calendarId: '101', appointmentTypeId: '1001', patientId: 'P-100001' } });
    if (!created.ok) return;
    expect(Date.parse(created.value.start)).toBe(Date.parse(first.start));

    const again = await client.createAppointment(input, key);
    expect(again).toMatchObject({ ok: true, value: { appointmentId: created.value.appointmentId } });

    const listed = await client.listAppointments({ patientId: 'P-100001' });
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    expect(listed.value).toHaveLength(countBefore + 1);
    expect(listed.value.filter((a) => Date.parse(a.start) === Date.parse(first.start))).toHaveLength(1);

    const clash = await client.createAppointment({ ...input, patientId: undefined, patient: { name: 'Liza Garcia', phone: '+639170000001', dob: '1992-02-02' } }, crypto.randomUUID());
    expect(clash).toMatchObject({ ok: false, error: { kind: 'slot_unavailable', status: 409 } });

    const moved = await client.reschedule(created.value.appointmentId, second.start, crypto.randomUUID());
    expect(moved).toMatchObject({ ok: true, value: { status: 'RESCHEDULED' } });
    if (!moved.ok) return;
    expect(Date.parse(moved.value.start)).toBe(Date.parse(second.start));

    const canceled = await client.cancel(moved.value.appointmentId, 'feeling better', crypto.randomUUID());
    expect(canceled).toMatchObject({ ok: true, value: { status: 'CANCELED', appointmentId: moved.value.appointmentId } });
    // cancelling a cancelled appointment is a success
    expect(await client.cancel(moved.value.appointmentId, undefined, crypto.randomUUID())).toMatchObject({ ok: true, value: { status: 'CANCELED' } });

    expect(await client.cancel('no-such-appointment', undefined, crypto.randomUUID())).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });

  it('confirms where the provider supports it, and reports unsupported where it does not', async () => {
    for (const [facility, expectation] of [
      [facilities.main, { ok: true, value: { status: 'CONFIRMED' } }],
      [facilities.noConfirm, { ok: false, error: { kind: 'unsupported' } }],
    ] as const) {
      const client = clientOf(facility);
      const listed = await client.listAppointments({ patientId: 'P-100001' });
      expect(listed.ok).toBe(true);
      if (!listed.ok) return;
      const upcoming = listed.value.find((a) => a.status === 'SCHEDULED' && daysAhead(a.start) > 0);
      expect(upcoming).toBeDefined();
      expect(await client.confirm(upcoming!.appointmentId, crypto.randomUUID())).toMatchObject(expectation);
    }
  });

  it('a reschedule inside the cutoff is too_close', async () => {
    const client = clientOf(facilities.strict);
    const listed = await client.listAppointments({ patientId: 'P-100004' });
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    const target = listed.value.find((a) => a.status === 'SCHEDULED');
    const slots = await openSlots(client, '102', '1013');
    const result = await client.reschedule(target!.appointmentId, slots[slots.length - 1]!.start, crypto.randomUUID());
    expect(result).toMatchObject({ ok: false, error: { kind: 'too_close', status: 422 } });
  });

  it('wrong credentials are unauthorized', async () => {
    const result = await clientOf(facilities.main, 'wrong-key').listCalendars();
    expect(result).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
  });
});
