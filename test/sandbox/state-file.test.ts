import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/index.js';
import { FACILITY, JUAN, NOW, firstSlots, newPatient, silent, startSandbox, type Running } from './support.js';

const dirs: string[] = [];
const runs: Running[] = [];
afterEach(async () => {
  while (runs.length) await runs.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-sandbox-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'sandbox.json');
}

async function start(file: string, now = NOW): Promise<Running> {
  const run = await startSandbox({ stateFile: file, now: () => now });
  runs.push(run);
  return run;
}

const stop = async (run: Running) => {
  runs.splice(runs.indexOf(run), 1);
  await run.close();
};

describe('stateFile', () => {
  it('keeps bookings, taken slots, id counters and Idempotency-Key replays across a restart', async () => {
    const file = stateFile();
    const first = await start(file);
    const slots = await firstSlots(first, '101', '1001');
    const key = randomUUID();
    const body = { calendarId: '101', appointmentTypeId: '1001', start: slots[0]!.start, patient: newPatient(7) };
    const booked = await first.api('/appointments', { method: 'POST', headers: { 'idempotency-key': key }, body });
    expect(booked.status).toBe(201);
    await stop(first);

    const second = await start(file);
    const listed = await second.api(`/appointments?temporaryPatientId=${booked.body.temporaryPatientId}`);
    expect(listed.body.appointments).toEqual([booked.body]);
    expect((await firstSlots(second, '101', '1001')).map((s) => s.start)).not.toContain(body.start);

    const replay = await second.api('/appointments', { method: 'POST', headers: { 'idempotency-key': key }, body });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(booked.body);

    // the slot is still taken for a fresh request, and new ids do not reuse the saved ones
    const clash = await second.api('/appointments', { method: 'POST', headers: { 'idempotency-key': randomUUID() }, body: { ...body, patient: newPatient(8) } });
    expect(clash.status).toBe(409);
    const other = await second.api('/appointments', {
      method: 'POST',
      headers: { 'idempotency-key': randomUUID() },
      body: { ...body, start: slots[1]!.start, patient: newPatient(8) },
    });
    expect(other.status).toBe(201);
    expect(other.body.appointmentId).not.toBe(booked.body.appointmentId);
    expect(other.body.temporaryPatientId).not.toBe(booked.body.temporaryPatientId);
    expect((await second.staff('/appointments')).body.appointments).toHaveLength(5 + 2); // the seed is not laid again
  });

  it('has every answered change on disk already, before stop() (a killed process loses nothing it answered)', async () => {
    const file = stateFile();
    const run = await start(file);
    const juan = (await run.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0];
    const cancel = await run.api(`/appointments/${juan.appointmentId}/cancel`, { method: 'PUT', body: { reason: 'travel' } });
    expect(cancel.status).toBe(200);
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    const saved = onDisk.facilities[FACILITY.id].clinic.appointments.find((a: { appointmentId: string }) => a.appointmentId === juan.appointmentId);
    expect(saved.status).toBe('CANCELED');

    // a second sandbox on the same file (no stop of the first) sees the cancellation
    const again = createSandbox({ facilities: [FACILITY], now: () => NOW, logger: silent, stateFile: file });
    await again.stop();
    const reread = await start(file);
    expect((await reread.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments[0]).toMatchObject({ appointmentId: juan.appointmentId, status: 'CANCELED' });
  });

  it('keeps the seeded appointments and held cells of the first start, whatever now() and seed say later', async () => {
    const file = stateFile();
    const first = await start(file);
    const juan = (await first.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments;
    const offered = await firstSlots(first, '102', '1011', '2026-04');
    await stop(first);

    const later = new Date(NOW.getTime() + 3 * 86_400_000);
    const second = await startSandbox({ stateFile: file, now: () => later, seed: 99 });
    runs.push(second);
    expect((await second.api(`/appointments?patientId=${JUAN.patientId}`)).body.appointments).toEqual(juan);
    expect(await firstSlots(second, '102', '1011', '2026-04')).toEqual(offered);
  });

  it('refuses to start from a file that is not its own state', () => {
    const file = stateFile().replace('nested/', '');
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    expect(() => createSandbox({ facilities: [FACILITY], logger: silent, stateFile: file })).toThrow(/unknown shape/);
    writeFileSync(file, '{ not json');
    expect(() => createSandbox({ facilities: [FACILITY], logger: silent, stateFile: file })).toThrow(/not JSON/);
  });
});
