import { is2xx } from './checks/exchange.js';
import { runChecks } from './checks/list.js';
import { AUTH_CHECKS } from './checks/read-auth.js';
import { allSlots, AVAILABILITY_CHECKS } from './checks/read-availability.js';
import { CALENDAR_CHECKS, calendarItems, pickTarget } from './checks/read-calendars.js';
import { CLIENT_CHECKS } from './checks/read-client.js';
import { PATIENT_CHECKS } from './checks/read-patient.js';
import type { AvailabilityState, ReadState, ReadTarget, SlotSeen } from './checks/read-state.js';
import type { Probe } from './probe.js';
import { thisAndNextMonth } from './time.js';
import type { CheckResult, ConformanceOptions } from './types.js';

/** The read-only checks: auth, calendars, patient lookup, availability (contract §1, endpoints 1–3). */

export type { SlotSeen } from './checks/read-state.js';
export { NOBODY } from './checks/read-patient.js';

export interface ReadOutcome {
  results: CheckResult[];
  /** the calendar and type the availability (and write) checks use */
  target?: ReadTarget;
  /** every slot read, both months */
  slots: SlotSeen[];
}

interface ReadContext {
  probe: Probe;
  opts: ConformanceOptions;
  now: () => Date;
}

export async function readChecks({ probe, opts, now }: ReadContext): Promise<ReadOutcome> {
  const results: CheckResult[] = [];
  const zone = opts.timezone;
  const read: ReadState = { probe, opts, now, zone };

  await runChecks(AUTH_CHECKS, read, results);
  if (read.calendars && is2xx(read.calendars)) read.items = calendarItems(read.calendars.body);
  await runChecks(CALENDAR_CHECKS, read, results);
  await runChecks(PATIENT_CHECKS, read, results);

  const target = pickTarget(read.items, opts);
  const state: AvailabilityState = { ...read, ...(target ? { target } : {}), months: thisAndNextMonth(now(), zone), perMonth: [] };
  await runChecks(AVAILABILITY_CHECKS, state, results);
  await runChecks(CLIENT_CHECKS, state, results);

  return { results, slots: allSlots(state).filter((s) => !Number.isNaN(s.at)), ...(target ? { target } : {}) };
}

export { is2xx };
