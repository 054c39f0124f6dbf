import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { ok, type Appointment, type ProviderAppointment } from '../../src/core/index.js';
import { conversationMachine } from '../../flows/conversation.js';
import { usableSlots } from '../../flows/context.js';
import { BUSY_TAG, type ConversationInput, type FlowEvent } from '../../flows/protocol.js';
import { JUAN, SANDBOX_NOW, startSandboxWorld, type SandboxWorld } from '../support/sandbox-actors.js';

/**
 * Model-based tests against the sandbox provider: the paths are generated from the conversation machine the
 * same way as ./model.test.ts (shortest paths, and simple paths to each completion, over a reduced event set,
 * the injected actors' answers modelled as done events), then every path is replayed on a real actor whose
 * provider calls cross real HTTP to a fresh sandbox. The real run must settle in the state the model predicts
 * after each message, and the sandbox must end up holding exactly what the path did.
 *
 * The model's answers are read from the sandbox itself (its slots, the patient's seeded appointment), so the
 * model and the replay speak about the same clinic.
 */

const CAL = '201'; // Laboratory: one calendar with one type, so booking goes straight to dates
const TYPE = '2001';
const MONTH = '2026-12';
const patient = { name: JUAN.name, dob: JUAN.dob, phone: JUAN.phone };
const known = { ...patient, gender: JUAN.gender, consent: true, patientId: JUAN.patientId };

/** Juan with exactly one upcoming appointment, a laboratory test on `start`: his seeded consultation is cancelled by the desk. */
async function prepare(world: SandboxWorld, start: string): Promise<ProviderAppointment> {
  const mine = await world.client.listAppointments({ patientId: JUAN.patientId });
  if (!mine.ok) throw new Error(`list: ${mine.error.kind}`);
  for (const a of mine.value) if (a.status === 'SCHEDULED') await world.staffCancel(a.appointmentId);
  const seeded = await world.client.createAppointment({ calendarId: CAL, appointmentTypeId: TYPE, start, patientId: JUAN.patientId, patient }, `seed-${start}`);
  if (!seeded.ok) throw new Error(`seed: ${seeded.error.kind} ${seeded.error.message}`);
  return seeded.value;
}

// What the sandbox answers, read once from a probe sandbox (same seed, same now as every replay's sandbox).
const probe = await startSandboxWorld();
const calendars = probe.calendars.filter((c) => c.id === CAL);
const SEEDED_START = (await probe.slots(CAL, TYPE, MONTH)).find((s) => s.start.startsWith('2026-12-03'))!.start;
const SEEDED: Appointment = { ...(await prepare(probe, SEEDED_START)), facilityId: probe.facilityId };
const slots = usableSlots(await probe.slots(CAL, TYPE, MONTH), SANDBOX_NOW);
const DAY = '2026-12-02';
const SLOT = slots.find((s) => s.start.startsWith(DAY))!.start;
await probe.close();

const input: ConversationInput = { facility: { id: 'model', name: 'Sandbox Clinic', timezone: 'Asia/Manila', locale: 'en', country: 'PH', cutoffHours: 24, askNationalId: false }, contact: { id: 'c1', channel: 'messenger', ...known }, calendars };

const msg = (choiceId: string): FlowEvent => ({ type: 'user.message', choiceId, at: SANDBOX_NOW, messageId: 'mx' });
const USER_EVENTS = ['menu:book', 'menu:reschedule', 'menu:cancel', `date:${DAY}`, `slot:${SLOT}`, 'ans:yes', 'ans:no', 'cmd:back'].map(msg);

type Snap = ReturnType<typeof conversationMachine.transition>;

function doneEvent(snapshot: Snap): AnyEventObject[] {
  const v = JSON.stringify(snapshot.value);
  const appt = (start: string, status: Appointment['status']) => ({ ...SEEDED, start, status });
  if (v.includes('loading') && v.includes('slots')) return [{ type: 'xstate.done.actor.availability', output: ok(slots) }];
  if (v.includes('loading')) return [{ type: 'xstate.done.actor.myAppointments', output: ok([SEEDED]) }];
  if (v.includes('creating')) return [{ type: 'xstate.done.actor.createAppointment', output: ok({ ...appt(snapshot.context.draft.start!, 'SCHEDULED'), appointmentId: 'new' }) }];
  if (v.includes('rescheduling')) return [{ type: 'xstate.done.actor.reschedule', output: ok(appt(snapshot.context.draft.start!, 'RESCHEDULED')) }];
  if (v.includes('canceling')) return [{ type: 'xstate.done.actor.cancel', output: ok(appt(SEEDED.start, 'CANCELED')) }];
  return [];
}

const traversal = {
  input,
  events: (s: Snap) => (s.hasTag(BUSY_TAG) ? doneEvent(s) : USER_EVENTS) as FlowEvent[],
  serializeState: (s: Snap, e: AnyEventObject | undefined) =>
    JSON.stringify({ e: e?.type.startsWith('xstate.done') ? e.type : undefined, v: s.value, d: s.context.draft.date, st: s.context.draft.start, m: s.context.mode, x: s.context.misses, c: s.context.choices.length }),
  // the done events carry a month of slots: name events by type and choice, not by their whole payload
  serializeEvent: (e: AnyEventObject) => `${e.type} ${(e as { choiceId?: string }).choiceId ?? ''}`,
  stopWhen: (s: Snap) => s.context.menuShown || s.matches('bookAgain') || s.matches('handoff'),
};

type ModelStep = { event: AnyEventObject; state: Snap };
/**
 * Whether replaying the path makes the provider do `actor`'s operation. A path may end in a busy state
 * (e.g. `canceling`): the real actor does not stop there, it gets the provider's answer, as the model would next.
 */
const did = (steps: ModelStep[], actor: string) => {
  const last = steps.at(-1)?.state;
  const next = last?.hasTag(BUSY_TAG) ? doneEvent(last) : [];
  return [...steps.map((s) => s.event), ...next].some((e) => e.type === `xstate.done.actor.${actor}`);
};

const describePath = (steps: ModelStep[]) =>
  steps.map((s) => (s.event.type === 'user.message' ? (s.event as unknown as { choiceId: string }).choiceId : s.event.type.replace('xstate.done.actor.', '✓'))).join(' → ');

const open: SandboxWorld[] = [];
afterAll(async () => {
  await Promise.all(open.map((w) => w.close()));
});

/** Replays one path on a fresh sandbox, then checks what the sandbox holds against what the path did. */
async function replay(steps: ModelStep[]): Promise<void> {
  const world = await startSandboxWorld();
  open.push(world);
  const seeded = await prepare(world, SEEDED_START);
  const chat = world.chat({ contact: known, calendars });
  for (const [i, step] of steps.entries()) {
    if (step.event.type.startsWith('xstate.')) continue; // the real actor answers over HTTP
    await chat.send({ choiceId: (step.event as unknown as { choiceId: string }).choiceId });
    const settled = steps.slice(i).find((s) => !s.state.hasTag(BUSY_TAG));
    if (settled) expect(chat.stateValue(), `step ${i + 1} of ${describePath(steps)}`).toEqual(settled.state.value);
  }

  const held = (await world.staffAppointments({ calendarId: CAL })).filter((a) => a.patientId === JUAN.patientId);
  const booked = held.filter((a) => a.appointmentId !== seeded.appointmentId);
  const now = held.find((a) => a.appointmentId === seeded.appointmentId)!;
  if (did(steps, 'createAppointment')) {
    // exactly one appointment for the booking, at the chosen time, for this patient
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ start: SLOT, status: 'SCHEDULED', appointmentTypeId: TYPE, source: 'bot' });
    expect((await world.staffAppointments({ calendarId: CAL })).filter((a) => a.start === SLOT && a.status !== 'CANCELED')).toHaveLength(1);
  } else {
    expect(booked).toHaveLength(0);
  }
  if (did(steps, 'reschedule')) expect(now).toMatchObject({ start: SLOT, status: 'RESCHEDULED' });
  else if (did(steps, 'cancel')) expect(now).toMatchObject({ start: SEEDED_START, status: 'CANCELED' });
  else expect(now).toMatchObject({ start: SEEDED_START, status: 'SCHEDULED' });

  open.splice(open.indexOf(world), 1);
  await world.close();
}

describe('model-based paths against the sandbox provider (real HTTP)', () => {
  const shortest = getShortestPaths(conversationMachine, traversal);

  it('the model was built from the sandbox: its slot is open there and the seeded appointment is Juan\'s', () => {
    expect(SLOT.startsWith(DAY)).toBe(true);
    expect(slots.some((s) => s.start === SEEDED_START)).toBe(false); // taken by the seeded appointment
    expect(SEEDED).toMatchObject({ patientId: JUAN.patientId, calendarId: CAL, status: 'SCHEDULED' });
    for (const kind of ['createAppointment', 'reschedule', 'cancel']) expect(shortest.some((p) => did(p.steps, kind)), kind).toBe(true);
  });

  it('generates enough shortest paths to cover the three machines', () => {
    expect(shortest.length).toBeGreaterThan(10);
  });

  // one test per path: each is bounded on its own, and a failure names the path
  describe('every shortest path replays over HTTP to the predicted states, and the sandbox holds what the path did', () => {
    for (const path of shortest) it(describePath(path.steps), () => replay(path.steps));
  });

  it('simple paths to each completion replay too', async () => {
    const forward = ['menu:book', 'menu:reschedule', 'menu:cancel', `date:${DAY}`, `slot:${SLOT}`, 'ans:yes', 'slot:change'].map(msg);
    const offered = (s: Snap) => forward.filter((e) => e.type === 'user.message' && (s.matches('idle') || s.context.choices.some((c) => c.id === e.choiceId)))
      // the summary's confirm names its slot (ans:book:<key>, flows/replay.ts)
      .concat(s.context.choices.filter((c) => c.id.startsWith('ans:book:')).map((c) => msg(c.id)));
    const simpleTraversal = { ...traversal, events: (s: Snap) => (s.hasTag(BUSY_TAG) ? doneEvent(s) : offered(s)) as FlowEvent[] };
    const simple = getSimplePaths(conversationMachine, simpleTraversal).filter(
      (p) => (p.state.context.menuShown || p.state.matches('bookAgain')) && ['createAppointment', 'reschedule', 'cancel'].some((k) => did(p.steps, k)),
    );
    for (const kind of ['createAppointment', 'reschedule', 'cancel']) expect(simple.some((p) => did(p.steps, kind)), kind).toBe(true);
    for (const path of simple) await replay(path.steps);
  });
});
