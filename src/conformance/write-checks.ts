import { randomUUID } from 'node:crypto';
import { fail, isObject, listed, pass, runCheck, skip, warn, type Verdict } from './check.js';
import { bodyHint, describe, type Exchange, type Probe } from './probe.js';
import { is2xx, type ReadOutcome, type SlotSeen } from './read-checks.js';
import { instant, showInstant } from './time.js';
import type { CheckResult } from './types.js';

/**
 * The booking checks (contract §1, endpoints 4–8), only on explicit opt-in: they create one appointment on the
 * provider for a made-up patient, move it, confirm it and cancel it (and cancel anything extra a faulty
 * provider booked on the way).
 */

export const TEST_PATIENT = { name: 'Frontdesk Conformance Test', dob: '1970-01-01', phone: '+639990000001' };
export const SECOND_TEST_PATIENT = { name: 'Frontdesk Conformance Test Two', dob: '1970-01-02', phone: '+639990000002' };
const NOTE = 'frontdesk conformance check: safe to delete';

/** What the webhook checks should then expect. */
export interface WriteTrace {
  appointmentIds: Set<string>;
  created: boolean;
  rescheduled: boolean;
  confirmed: boolean;
  canceled: boolean;
}

export interface WriteOutcome {
  results: CheckResult[];
  trace: WriteTrace;
}

interface AppointmentSeen {
  id?: string;
  numericId: boolean;
  status?: unknown;
  start?: unknown;
  patientId?: string;
  temporaryPatientId?: string;
}

const idText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

function appointmentOf(body: unknown): AppointmentSeen {
  if (!isObject(body)) return { numericId: false };
  const seen: AppointmentSeen = { numericId: typeof body.appointmentId === 'number', status: body.status, start: body.start };
  const id = idText(body.appointmentId);
  const patientId = idText(body.patientId);
  const temporaryPatientId = idText(body.temporaryPatientId);
  if (id) seen.id = id;
  if (patientId) seen.patientId = patientId;
  if (temporaryPatientId) seen.temporaryPatientId = temporaryPatientId;
  return seen;
}

const refusal = (x: Exchange): string => {
  const code = isObject(x.body) && typeof x.body.error === 'string' ? ` ${x.body.error}` : '';
  return `${describe(x)}${code}`;
};

function listOf(body: unknown): { items: unknown[]; bare: boolean } | undefined {
  if (isObject(body) && Array.isArray(body.appointments)) return { items: body.appointments, bare: false };
  if (Array.isArray(body)) return { items: body, bare: true };
  return undefined;
}

const isCanceled = (s: unknown) => s === 'CANCELED' || s === 'CANCELLED';

/** The two furthest slots: furthest from any reschedule/cancel cutoff. */
function pickSlots(slots: SlotSeen[], nowMs: number): [SlotSeen, SlotSeen] | undefined {
  const future = [...slots].filter((s) => s.at > nowMs).sort((a, b) => b.at - a.at);
  const first = future[0];
  const second = future.find((s) => s.at !== first?.at);
  return first && second ? [first, second] : undefined;
}

export async function writeChecks(probe: Probe, read: ReadOutcome, zone: string, now: () => Date): Promise<WriteOutcome> {
  const trace: WriteTrace = { appointmentIds: new Set(), created: false, rescheduled: false, confirmed: false, canceled: false };
  const results: CheckResult[] = [];
  const titles: [string, string][] = [
    ['write.create', 'POST /appointments with an Idempotency-Key → 201 with ids'],
    ['write.idempotent', 'the same Idempotency-Key again → same appointment, nothing new'],
    ['write.slot-taken', 'booking the taken slot with another key → 409 slot_unavailable'],
    ['write.list', 'GET /appointments by the patient id lists the appointment'],
    ['write.reschedule', 'PUT /appointments/:id/reschedule → RESCHEDULED'],
    ['write.confirm', 'PUT /appointments/:id/confirm → CONFIRMED (optional)'],
    ['write.cancel', 'PUT /appointments/:id/cancel → CANCELED'],
    ['write.cancel-again', 'cancelling a cancelled appointment is a success'],
  ];
  const target = read.target;
  const picked = pickSlots(read.slots, now().getTime());
  if (!target || !picked) {
    const why = !target ? 'no calendar with an appointment type' : 'needs two open future slots from GET /availability';
    return { results: titles.map(([id, title]) => ({ id, title, status: 'skip', detail: why })), trace };
  }
  const [slotA, slotB] = picked;
  const title = (id: string) => titles.find((t) => t[0] === id)![1];
  const check = async (id: string, fn: () => Promise<Verdict>) => {
    results.push(await runCheck(id, title(id), fn));
  };

  const createBody = { calendarId: target.calendarId, appointmentTypeId: target.appointmentTypeId, start: slotA.start, patient: TEST_PATIENT, notes: NOTE };
  const firstKey = randomUUID();
  /** appointments this run booked and has not cancelled yet */
  const leftovers = new Set<string>();
  let current: string | undefined;
  let patientQuery: Record<string, string> | undefined;

  await check('write.create', async () => {
    const x = await probe.call('POST', '/appointments', { body: createBody, idempotencyKey: firstKey });
    if (!is2xx(x)) return fail(`${refusal(x)} (booking ${showInstant(slotA.at, zone)})`);
    const a = appointmentOf(x.body);
    if (!a.id) return fail(`no appointmentId in the answer (${bodyHint(x.body)})`);
    current = a.id;
    leftovers.add(a.id);
    trace.appointmentIds.add(a.id);
    trace.created = true;
    if (a.patientId) patientQuery = { patientId: a.patientId };
    else if (a.temporaryPatientId) patientQuery = { temporaryPatientId: a.temporaryPatientId };
    else return fail(`appointment ${a.id} carries neither patientId nor temporaryPatientId`);
    const notes = [
      ...(x.status !== 201 ? [`answered ${x.status}; the contract says 201`] : []),
      ...(a.numericId ? ['appointmentId is a number'] : []),
      ...(a.status !== 'SCHEDULED' ? [`status ${JSON.stringify(a.status)}, expected SCHEDULED`] : []),
    ];
    const ids = `appointment ${a.id}, ${Object.entries(patientQuery).map(([k, v]) => `${k} ${v}`).join('')}`;
    return notes.length ? warn(`${ids}; ${listed(notes)}`) : pass(`${ids} at ${showInstant(slotA.at, zone)}`);
  });

  const needCreated = (fn: (id: string) => Promise<Verdict>) => () => (current ? fn(current) : Promise.resolve(skip('no appointment was created')));

  await check(
    'write.idempotent',
    needCreated(async (id) => {
      const x = await probe.call('POST', '/appointments', { body: createBody, idempotencyKey: firstKey });
      if (!is2xx(x)) return fail(`the retry was refused: ${refusal(x)}`);
      const again = appointmentOf(x.body).id;
      if (again && again !== id) {
        leftovers.add(again);
        trace.appointmentIds.add(again);
        return fail(`the retry booked again: appointment ${id}, then ${again}`);
      }
      if (!again) return fail(`the retry answered without an appointmentId (${bodyHint(x.body)})`);
      if (!patientQuery) return warn(`same appointmentId ${id}; no patient id to list by`);
      const list = await probe.call('GET', '/appointments', { query: patientQuery });
      const items = is2xx(list) ? listOf(list.body) : undefined;
      if (!items) return warn(`same appointmentId ${id}; could not list the patient's appointments (${refusal(list)})`);
      const atSlot = items.items.filter((i) => isObject(i) && !isCanceled(i.status) && instant(i.start, zone) === slotA.at);
      if (atSlot.length > 1) return fail(`same appointmentId, but ${atSlot.length} appointments now hold ${showInstant(slotA.at, zone)}`);
      return pass(`same appointmentId ${id}; one appointment at that time`);
    }),
  );

  await check(
    'write.slot-taken',
    needCreated(async () => {
      const x = await probe.call('POST', '/appointments', { body: { ...createBody, patient: SECOND_TEST_PATIENT }, idempotencyKey: randomUUID() });
      if (is2xx(x)) {
        const extra = appointmentOf(x.body).id;
        if (extra) {
          leftovers.add(extra);
          trace.appointmentIds.add(extra);
        }
        return fail(`double-booked: appointment ${extra ?? '(no id)'} was created at the taken time`);
      }
      if (x.status !== 409) return fail(`expected 409, got ${refusal(x)}`);
      const code = isObject(x.body) ? x.body.error : undefined;
      return code === 'slot_unavailable' ? pass(describe(x)) : warn(`409 with error ${JSON.stringify(code)} (expected "slot_unavailable")`);
    }),
  );

  await check(
    'write.list',
    needCreated(async (id) => {
      if (!patientQuery) return skip('no patient id to list by');
      const x = await probe.call('GET', '/appointments', { query: patientQuery });
      if (!is2xx(x)) return fail(refusal(x));
      const list = listOf(x.body);
      if (!list) return fail(`expected {"appointments": [...]}, got ${bodyHint(x.body)}`);
      const found = list.items.some((i) => isObject(i) && idText(i.appointmentId) === id);
      if (!found) return fail(`appointment ${id} is not among the ${list.items.length} listed`);
      if (list.bare) {
        x.tolerated = 'bare appointment array';
        return warn(`a bare array (tolerated; the contract's form is {"appointments": [...]}); ${id} listed`);
      }
      return pass(`${list.items.length} listed, ${id} among them`);
    }),
  );

  await check(
    'write.reschedule',
    needCreated(async (id) => {
      const x = await probe.call('PUT', `/appointments/${encodeURIComponent(id)}/reschedule`, { body: { start: slotB.start }, idempotencyKey: randomUUID() });
      if (!is2xx(x)) return fail(`${refusal(x)} (moving to ${showInstant(slotB.at, zone)})`);
      const a = appointmentOf(x.body);
      const notes: string[] = [];
      if (a.id && a.id !== id) {
        leftovers.delete(id);
        leftovers.add(a.id);
        trace.appointmentIds.add(a.id);
        current = a.id;
        notes.push(`new appointmentId ${a.id} replaces ${id}`);
      }
      if (a.status !== 'RESCHEDULED') return fail(`status ${JSON.stringify(a.status)}, expected RESCHEDULED`);
      const at = instant(a.start, zone);
      if (at !== slotB.at) return fail(`start is ${JSON.stringify(a.start)}, expected ${showInstant(slotB.at, zone)}`);
      trace.rescheduled = true;
      return pass([`moved to ${showInstant(slotB.at, zone)}`, ...notes].join('; '));
    }),
  );

  await check(
    'write.confirm',
    needCreated(async (id) => {
      const x = await probe.call('PUT', `/appointments/${encodeURIComponent(id)}/confirm`, { idempotencyKey: randomUUID() });
      if (x.status === 404 || x.status === 405) return warn(`confirm not supported (optional): ${describe(x)}; the bot keeps confirmations on its side`);
      if (!is2xx(x)) return fail(refusal(x));
      const a = appointmentOf(x.body);
      if (a.status !== 'CONFIRMED') return fail(`status ${JSON.stringify(a.status)}, expected CONFIRMED`);
      trace.confirmed = true;
      return pass();
    }),
  );

  const cancel = (id: string) =>
    probe.call('PUT', `/appointments/${encodeURIComponent(id)}/cancel`, { body: { reason: NOTE }, idempotencyKey: randomUUID() });

  await check(
    'write.cancel',
    needCreated(async (id) => {
      const x = await cancel(id);
      if (!is2xx(x)) return fail(refusal(x));
      const a = appointmentOf(x.body);
      if (!isCanceled(a.status)) return fail(`status ${JSON.stringify(a.status)}, expected CANCELED`);
      leftovers.delete(id);
      trace.canceled = true;
      return a.status === 'CANCELED' ? pass() : warn('status "CANCELLED": the canonical spelling is CANCELED');
    }),
  );

  await check(
    'write.cancel-again',
    needCreated(async (id) => {
      if (!trace.canceled) return skip('the first cancel did not succeed');
      const x = await cancel(id);
      if (!is2xx(x)) return fail(`cancelling again was refused: ${refusal(x)}`);
      const a = appointmentOf(x.body);
      return isCanceled(a.status) ? pass(describe(x)) : fail(`status ${JSON.stringify(a.status)}, expected CANCELED`);
    }),
  );

  if (leftovers.size > 0) {
    const ids = [...leftovers];
    results.push(
      await runCheck('write.cleanup', 'test appointments are cancelled afterwards', async () => {
        const stuck: string[] = [];
        for (const id of ids) {
          const x = await cancel(id).catch(() => undefined);
          if (!x || !is2xx(x)) stuck.push(id);
        }
        return stuck.length ? warn(`could not cancel ${stuck.join(', ')}: remove by hand`) : pass(`cancelled ${ids.join(', ')}`);
      }),
    );
  }

  return { results, trace };
}
