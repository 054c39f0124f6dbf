import { randomUUID } from 'node:crypto';
import { isObject, skip, type Verdict } from '../check.js';
import { describe, type Exchange, type Probe } from '../probe.js';
import { idText } from './exchange.js';
import type { Check } from './list.js';
import type { ReadTarget, SlotSeen } from './read-state.js';

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

export const emptyTrace = (): WriteTrace => ({ appointmentIds: new Set(), created: false, rescheduled: false, confirmed: false, canceled: false });

export interface CreateBody {
  calendarId: string;
  appointmentTypeId: string;
  start: string;
  patient: typeof TEST_PATIENT;
  notes: string;
}

/** What the booking checks share, filled in as they go. */
export interface WriteState {
  probe: Probe;
  zone: string;
  trace: WriteTrace;
  /** the slot booked first, and the one it is moved to */
  slotA: SlotSeen;
  slotB: SlotSeen;
  createBody: CreateBody;
  /** the Idempotency-Key of the first booking, sent again by write.idempotent */
  firstKey: string;
  /** appointments this run booked and has not cancelled yet */
  leftovers: Set<string>;
  /** the test appointment's id (a new one after a reschedule that changes it) */
  current?: string;
  /** the test patient's id as GET /appointments is queried by: `{ patientId }` or `{ temporaryPatientId }` */
  patientQuery?: Record<string, string>;
}

/** A booking check: its title is known up front, so a run that cannot book lists every one as skipped. */
export interface WriteCheck extends Check<WriteState> {
  title: string;
}

export function writeState(probe: Probe, zone: string, target: ReadTarget, [slotA, slotB]: [SlotSeen, SlotSeen]): WriteState {
  return {
    probe,
    zone,
    trace: emptyTrace(),
    slotA,
    slotB,
    createBody: { calendarId: target.calendarId, appointmentTypeId: target.appointmentTypeId, start: slotA.start, patient: TEST_PATIENT, notes: NOTE },
    firstKey: randomUUID(),
    leftovers: new Set(),
  };
}

/** An appointment this run booked: to be cancelled at the end, and to be expected in the webhooks. */
export function booked(state: WriteState, id: string): void {
  state.leftovers.add(id);
  state.trace.appointmentIds.add(id);
}

export interface AppointmentSeen {
  id?: string;
  numericId: boolean;
  status?: unknown;
  start?: unknown;
  patientId?: string;
  temporaryPatientId?: string;
}

export function appointmentOf(body: unknown): AppointmentSeen {
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

export const refusal = (x: Exchange): string => {
  const code = isObject(x.body) && typeof x.body.error === 'string' ? ` ${x.body.error}` : '';
  return `${describe(x)}${code}`;
};

export function listOf(body: unknown): { items: unknown[]; bare: boolean } | undefined {
  if (isObject(body) && Array.isArray(body.appointments)) return { items: body.appointments, bare: false };
  if (Array.isArray(body)) return { items: body, bare: true };
  return undefined;
}

export const isCanceled = (s: unknown) => s === 'CANCELED' || s === 'CANCELLED';

export const cancel = ({ probe }: WriteState, id: string) =>
  probe.call('PUT', `/appointments/${encodeURIComponent(id)}/cancel`, { body: { reason: NOTE }, idempotencyKey: randomUUID() });

/** Runs `fn` on the test appointment, or skips when write.create booked none. */
export const needCreated =
  (fn: (id: string, state: WriteState) => Promise<Verdict>) =>
  (state: WriteState): Promise<Verdict> =>
    state.current ? fn(state.current, state) : Promise.resolve(skip('no appointment was created'));
