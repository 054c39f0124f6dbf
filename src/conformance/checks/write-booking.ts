import { randomUUID } from 'node:crypto';
import { fail, isObject, listed, pass, skip, warn } from '../check.js';
import { bodyHint, describe } from '../probe.js';
import { instant, showInstant } from '../time.js';
import { idText, is2xx } from './exchange.js';
import { appointmentOf, booked, isCanceled, listOf, needCreated, refusal, SECOND_TEST_PATIENT, type WriteCheck } from './write-state.js';

/** Books slot A; the rest of the run works on the appointment it answers with. */
const create: WriteCheck = {
  id: 'write.create',
  title: 'POST /appointments with an Idempotency-Key → 201 with ids',
  async run(state) {
    const { probe, zone, slotA } = state;
    const x = await probe.call('POST', '/appointments', { body: state.createBody, idempotencyKey: state.firstKey });
    if (!is2xx(x)) return fail(`${refusal(x)} (booking ${showInstant(slotA.at, zone)})`);
    const a = appointmentOf(x.body);
    if (!a.id) return fail(`no appointmentId in the answer (${bodyHint(x.body)})`);
    state.current = a.id;
    booked(state, a.id);
    state.trace.created = true;
    if (a.patientId) state.patientQuery = { patientId: a.patientId };
    else if (a.temporaryPatientId) state.patientQuery = { temporaryPatientId: a.temporaryPatientId };
    else return fail(`appointment ${a.id} carries neither patientId nor temporaryPatientId`);
    const notes = [
      ...(x.status !== 201 ? [`answered ${x.status}; the contract says 201`] : []),
      ...(a.numericId ? ['appointmentId is a number'] : []),
      ...(a.status !== 'SCHEDULED' ? [`status ${JSON.stringify(a.status)}, expected SCHEDULED`] : []),
    ];
    const ids = `appointment ${a.id}, ${Object.entries(state.patientQuery).map(([k, v]) => `${k} ${v}`).join('')}`;
    return notes.length ? warn(`${ids}; ${listed(notes)}`) : pass(`${ids} at ${showInstant(slotA.at, zone)}`);
  },
};

const idempotent: WriteCheck = {
  id: 'write.idempotent',
  title: 'the same Idempotency-Key again → same appointment, nothing new',
  run: needCreated(async (id, state) => {
    const { probe, zone, slotA, patientQuery } = state;
    const x = await probe.call('POST', '/appointments', { body: state.createBody, idempotencyKey: state.firstKey });
    if (!is2xx(x)) return fail(`the retry was refused: ${refusal(x)}`);
    const again = appointmentOf(x.body).id;
    if (again && again !== id) {
      booked(state, again);
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
};

const slotTaken: WriteCheck = {
  id: 'write.slot-taken',
  title: 'booking the taken slot with another key → 409 slot_unavailable',
  run: needCreated(async (_id, state) => {
    const x = await state.probe.call('POST', '/appointments', { body: { ...state.createBody, patient: SECOND_TEST_PATIENT }, idempotencyKey: randomUUID() });
    if (is2xx(x)) {
      const extra = appointmentOf(x.body).id;
      if (extra) booked(state, extra);
      return fail(`double-booked: appointment ${extra ?? '(no id)'} was created at the taken time`);
    }
    if (x.status !== 409) return fail(`expected 409, got ${refusal(x)}`);
    const code = isObject(x.body) ? x.body.error : undefined;
    return code === 'slot_unavailable' ? pass(describe(x)) : warn(`409 with error ${JSON.stringify(code)} (expected "slot_unavailable")`);
  }),
};

const listsAppointment: WriteCheck = {
  id: 'write.list',
  title: 'GET /appointments by the patient id lists the appointment',
  run: needCreated(async (id, { probe, patientQuery }) => {
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
};

export const BOOKING_CHECKS: readonly WriteCheck[] = [create, idempotent, slotTaken, listsAppointment];
