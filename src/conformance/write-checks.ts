import { runChecks } from './checks/list.js';
import { BOOKING_CHECKS } from './checks/write-booking.js';
import { CHANGE_CHECKS, cleanupCheck } from './checks/write-changes.js';
import { emptyTrace, writeState, type WriteTrace } from './checks/write-state.js';
import type { Probe } from './probe.js';
import type { ReadOutcome, SlotSeen } from './read-checks.js';
import type { CheckResult } from './types.js';

/**
 * The booking checks (contract §1, endpoints 4–8), only on explicit opt-in: they create one appointment on the
 * provider for a made-up patient, move it, confirm it and cancel it (and cancel anything extra a faulty
 * provider booked on the way).
 */

export { SECOND_TEST_PATIENT, TEST_PATIENT } from './checks/write-state.js';
export type { WriteTrace } from './checks/write-state.js';

export interface WriteOutcome {
  results: CheckResult[];
  trace: WriteTrace;
}

const WRITE_CHECKS = [...BOOKING_CHECKS, ...CHANGE_CHECKS];

/** The two furthest slots: furthest from any reschedule/cancel cutoff. */
function pickSlots(slots: SlotSeen[], nowMs: number): [SlotSeen, SlotSeen] | undefined {
  const future = [...slots].filter((s) => s.at > nowMs).sort((a, b) => b.at - a.at);
  const first = future[0];
  const second = future.find((s) => s.at !== first?.at);
  return first && second ? [first, second] : undefined;
}

export async function writeChecks(probe: Probe, read: ReadOutcome, zone: string, now: () => Date): Promise<WriteOutcome> {
  const target = read.target;
  const picked = pickSlots(read.slots, now().getTime());
  if (!target || !picked) {
    const why = !target ? 'no calendar with an appointment type' : 'needs two open future slots from GET /availability';
    return { results: WRITE_CHECKS.map(({ id, title }) => ({ id, title, status: 'skip', detail: why })), trace: emptyTrace() };
  }
  const state = writeState(probe, zone, target, picked);
  const results: CheckResult[] = [];
  await runChecks(WRITE_CHECKS, state, results);
  const cleanup = await cleanupCheck(state);
  if (cleanup) results.push(cleanup);
  return { results, trace: state.trace };
}
