import { randomUUID } from 'node:crypto';
import { fail, pass, runCheck, skip, warn } from '../check.js';
import { describe } from '../probe.js';
import { instant, showInstant } from '../time.js';
import type { CheckResult } from '../types.js';
import { is2xx } from './exchange.js';
import { appointmentOf, booked, cancel, isCanceled, needCreated, refusal, type WriteCheck, type WriteState } from './write-state.js';

const reschedule: WriteCheck = {
  id: 'write.reschedule',
  title: 'PUT /appointments/:id/reschedule → RESCHEDULED',
  run: needCreated(async (id, state) => {
    const { probe, zone, slotB } = state;
    const x = await probe.call('PUT', `/appointments/${encodeURIComponent(id)}/reschedule`, { body: { start: slotB.start }, idempotencyKey: randomUUID() });
    if (!is2xx(x)) return fail(`${refusal(x)} (moving to ${showInstant(slotB.at, zone)})`);
    const a = appointmentOf(x.body);
    const notes: string[] = [];
    // a provider may move an appointment by booking a new one: follow the new id from here on
    if (a.id && a.id !== id) {
      state.leftovers.delete(id);
      booked(state, a.id);
      state.current = a.id;
      notes.push(`new appointmentId ${a.id} replaces ${id}`);
    }
    if (a.status !== 'RESCHEDULED') return fail(`status ${JSON.stringify(a.status)}, expected RESCHEDULED`);
    const at = instant(a.start, zone);
    if (at !== slotB.at) return fail(`start is ${JSON.stringify(a.start)}, expected ${showInstant(slotB.at, zone)}`);
    state.trace.rescheduled = true;
    return pass([`moved to ${showInstant(slotB.at, zone)}`, ...notes].join('; '));
  }),
};

const confirm: WriteCheck = {
  id: 'write.confirm',
  title: 'PUT /appointments/:id/confirm → CONFIRMED (optional)',
  run: needCreated(async (id, { probe, trace }) => {
    const x = await probe.call('PUT', `/appointments/${encodeURIComponent(id)}/confirm`, { idempotencyKey: randomUUID() });
    if (x.status === 404 || x.status === 405) return warn(`confirm not supported (optional): ${describe(x)}; the bot keeps confirmations on its side`);
    if (!is2xx(x)) return fail(refusal(x));
    const a = appointmentOf(x.body);
    if (a.status !== 'CONFIRMED') return fail(`status ${JSON.stringify(a.status)}, expected CONFIRMED`);
    trace.confirmed = true;
    return pass();
  }),
};

const cancelOnce: WriteCheck = {
  id: 'write.cancel',
  title: 'PUT /appointments/:id/cancel → CANCELED',
  run: needCreated(async (id, state) => {
    const x = await cancel(state, id);
    if (!is2xx(x)) return fail(refusal(x));
    const a = appointmentOf(x.body);
    if (!isCanceled(a.status)) return fail(`status ${JSON.stringify(a.status)}, expected CANCELED`);
    state.leftovers.delete(id);
    state.trace.canceled = true;
    return a.status === 'CANCELED' ? pass() : warn('status "CANCELLED": the canonical spelling is CANCELED');
  }),
};

const cancelAgain: WriteCheck = {
  id: 'write.cancel-again',
  title: 'cancelling a cancelled appointment is a success',
  run: needCreated(async (id, state) => {
    if (!state.trace.canceled) return skip('the first cancel did not succeed');
    const x = await cancel(state, id);
    if (!is2xx(x)) return fail(`cancelling again was refused: ${refusal(x)}`);
    const a = appointmentOf(x.body);
    return isCanceled(a.status) ? pass(describe(x)) : fail(`status ${JSON.stringify(a.status)}, expected CANCELED`);
  }),
};

export const CHANGE_CHECKS: readonly WriteCheck[] = [reschedule, confirm, cancelOnce, cancelAgain];

/** Cancels whatever this run booked and did not cancel yet; a row only when there was something left. */
export async function cleanupCheck(state: WriteState): Promise<CheckResult | undefined> {
  if (state.leftovers.size === 0) return undefined;
  const ids = [...state.leftovers];
  return runCheck('write.cleanup', 'test appointments are cancelled afterwards', async () => {
    const stuck: string[] = [];
    for (const id of ids) {
      const x = await cancel(state, id).catch(() => undefined);
      if (!x || !is2xx(x)) stuck.push(id);
    }
    return stuck.length ? warn(`could not cancel ${stuck.join(', ')}: remove by hand`) : pass(`cancelled ${ids.join(', ')}`);
  });
}
