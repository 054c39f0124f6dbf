import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { ClinicSnapshot } from './clinic.js';

/**
 * The sandbox's optional state file: what every facility's clinic holds (appointments, patients, id counters),
 * the Idempotency-Key results and the seed of the held cells, as one JSON document.
 * It is rewritten whole and atomically (temporary file, then rename) so a killed process leaves the old or the new state, never half.
 */

export interface IdempotentResult {
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface FacilitySnapshot {
  clinic: ClinicSnapshot;
  idempotency: [string, IdempotentResult][];
}

export interface SandboxState {
  version: 1;
  seed: number;
  facilities: Record<string, FacilitySnapshot>;
}

const Appointment = z.looseObject({
  appointmentId: z.string(),
  status: z.string(),
  start: z.number(),
  end: z.number(),
  calendarId: z.string(),
  appointmentTypeId: z.string(),
  patient: z.looseObject({ name: z.string(), phone: z.string() }),
  source: z.string(),
  updatedAt: z.number(),
});

const Patient = z.looseObject({ name: z.string(), phone: z.string(), patientId: z.string().optional(), temporaryPatientId: z.string().optional() });

const State = z.object({
  version: z.literal(1),
  seed: z.number(),
  facilities: z.record(
    z.string(),
    z.object({
      clinic: z.object({
        appointments: z.array(Appointment),
        patients: z.array(Patient),
        counters: z.object({ nextAppointment: z.number(), nextTemporary: z.number(), nextPermanent: z.number(), generated: z.number() }),
      }),
      idempotency: z.array(z.tuple([z.string(), z.object({ fingerprint: z.string(), status: z.number(), body: z.unknown() })])),
    }),
  ),
});

export class StateFileError extends Error {}

/** The saved state, or undefined when the file does not exist yet. Throws StateFileError for an unreadable or foreign file. */
export function loadState(file: string): SandboxState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read the sandbox state file ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StateFileError(`the sandbox state file ${file} is not JSON (delete it to start from the seed)`);
  }
  const parsed = State.safeParse(json);
  if (!parsed.success) throw new StateFileError(`the sandbox state file ${file} has an unknown shape (delete it to start from the seed)`);
  // the schema checks the fields the sandbox relies on; the rest is the sandbox's own earlier output
  return parsed.data as unknown as SandboxState;
}

/**
 * Writes the whole state: a temporary file beside the target, then a rename over it. The file holds
 * made-up patients' details, but is treated like real ones: 0600, in a directory created 0700.
 */
export function saveState(file: string, state: SandboxState): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
