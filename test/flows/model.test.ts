import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { ok, type Appointment } from '../../src/core/index.js';
import { conversationMachine } from '../../flows/conversation.js';
import { BUSY_TAG, type ConversationInput, type FlowEvent } from '../../flows/protocol.js';
import { CALENDARS, NOW, setup, contact, facility } from './fixtures.js';

/**
 * Model-based tests: paths are generated from the machine itself over a reduced event set (with the
 * injected actors' answers as done events), then replayed on a real actor over the fake provider; the
 * real run must land in the state the model predicts, step by step.
 */
const known = { name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1' };
const calendars = [CALENDARS[1]!]; // one calendar, one type: booking goes straight to dates
const input: ConversationInput = { facility: facility(), contact: contact(known), calendars };

const SEEDED: Appointment = { appointmentId: 'A1', status: 'SCHEDULED', start: '2026-12-03T10:00:00+08:00', calendarId: 'cal-lab', appointmentTypeId: 'blood', patientId: 'P1', patient: { name: 'Maria Santos', phone: '+639171234567' }, facilityId: 'test' };
const DAY = '2026-12-02';
const SLOT = '2026-12-02T09:00:00+08:00';

const msg = (choiceId: string): FlowEvent => ({ type: 'user.message', choiceId, at: NOW, messageId: 'mx' });
const USER_EVENTS = ['menu:book', 'menu:reschedule', 'menu:cancel', `date:${DAY}`, `slot:${SLOT}`, 'ans:yes', 'ans:no', 'cmd:back'].map(msg);

function fakeSlots() {
  const { provider } = setup({ calendars });
  return provider.allSlots('cal-lab').filter((s) => s.start.startsWith('2026-12'));
}
const slots = fakeSlots();

function doneEvent(snapshot: { value: unknown; context: { draft: { start?: string }; target?: Appointment } }): AnyEventObject[] {
  const v = JSON.stringify(snapshot.value);
  const appt = (start: string, status: Appointment['status']) => ({ ...SEEDED, start, status });
  if (v.includes('loading') && v.includes('slots')) return [{ type: 'xstate.done.actor.availability', output: ok(slots) }];
  if (v.includes('loading')) return [{ type: 'xstate.done.actor.myAppointments', output: ok([SEEDED]) }];
  if (v.includes('creating')) return [{ type: 'xstate.done.actor.createAppointment', output: ok({ ...appt(snapshot.context.draft.start!, 'SCHEDULED'), appointmentId: 'A2' }) }];
  if (v.includes('rescheduling')) return [{ type: 'xstate.done.actor.reschedule', output: ok(appt(snapshot.context.draft.start!, 'RESCHEDULED')) }];
  if (v.includes('canceling')) return [{ type: 'xstate.done.actor.cancel', output: ok(appt(SEEDED.start, 'CANCELED')) }];
  return [];
}

const traversal = {
  input,
  events: (s: ReturnType<typeof conversationMachine.transition>) => (s.hasTag(BUSY_TAG) ? doneEvent(s) : USER_EVENTS) as FlowEvent[],
  // the event that led here is part of the state: a menu reached by a provider answer differs from one reached by "no"
  serializeState: (s: ReturnType<typeof conversationMachine.transition>, e: AnyEventObject | undefined) =>
    JSON.stringify({ e: e?.type.startsWith('xstate.done') ? e.type : undefined, v: s.value, d: s.context.draft.date, st: s.context.draft.start, m: s.context.mode, x: s.context.misses, c: s.context.choices.length }),
  // one operation per path: stop once back at the menu (or offered to book again)
  stopWhen: (s: ReturnType<typeof conversationMachine.transition>) => s.context.menuShown || s.matches('bookAgain') || s.matches('handoff'),
};

type ModelStep = { event: AnyEventObject; state: { value: unknown; hasTag: (t: string) => boolean } };
async function replay(steps: ModelStep[]) {
  const { chat, provider } = setup({ contact: known, calendars });
  await provider.createAppointment({ calendarId: 'cal-lab', appointmentTypeId: 'blood', start: SEEDED.start, patientId: 'P1', patient: SEEDED.patient }, 'seed');
  for (const [i, step] of steps.entries()) {
    if (step.event.type.startsWith('xstate.')) continue; // the real actor answers by itself
    await chat.send({ choiceId: (step.event as unknown as { choiceId: string }).choiceId });
    // the real actor settles past busy states; compare with the model's next settled state
    const settled = steps.slice(i).find((s) => !s.state.hasTag(BUSY_TAG));
    if (settled) expect(chat.stateValue()).toEqual(settled.state.value);
  }
  return chat;
}

describe('model-based paths', () => {
  const shortest = getShortestPaths(conversationMachine, traversal);
  const finals = (paths: typeof shortest) => paths.filter((p) => p.state.context.menuShown || p.state.matches('bookAgain'));

  it('reaches booking, reschedule and cancel completions', () => {
    const keys = shortest.map((p) => p.state.context.prompt?.key);
    expect(keys).toContain('slots.time');
    expect(shortest.some((p) => p.steps.some((s) => (s.event.type as string) === 'xstate.done.actor.createAppointment'))).toBe(true);
    expect(shortest.some((p) => p.steps.some((s) => (s.event.type as string) === 'xstate.done.actor.reschedule'))).toBe(true);
    expect(shortest.some((p) => p.steps.some((s) => (s.event.type as string) === 'xstate.done.actor.cancel'))).toBe(true);
  });

  it('every shortest path replays on the real actor to the predicted states', async () => {
    expect(shortest.length).toBeGreaterThan(10);
    for (const path of shortest) await replay(path.steps);
  }, 180_000);

  it('simple paths to completions replay too', async () => {
    // only forward taps on choices the current prompt offers: keeps the number of simple paths small
    const forward = ['menu:book', 'menu:reschedule', 'menu:cancel', `date:${DAY}`, `slot:${SLOT}`, 'ans:yes', 'slot:change'].map(msg);
    const offered = (s: ReturnType<typeof conversationMachine.transition>) =>
      forward.filter((e) => e.type === 'user.message' && (s.matches('idle') || s.context.choices.some((c) => c.id === e.choiceId)))
      // the summary's confirm names its slot (ans:book:<key>, flows/replay.ts)
      .concat(s.context.choices.filter((c) => c.id.startsWith('ans:book:')).map((c) => msg(c.id)));
    const simpleTraversal = { ...traversal, events: (s: ReturnType<typeof conversationMachine.transition>) => (s.hasTag(BUSY_TAG) ? doneEvent(s) : offered(s)) as FlowEvent[] };
    const simple = finals(getSimplePaths(conversationMachine, simpleTraversal)).filter((p) => p.steps.some((s) => /create|reschedule|cancel/.test(s.event.type)));
    for (const kind of ['createAppointment', 'reschedule', 'cancel']) {
      expect(simple.some((p) => p.steps.some((s) => (s.event.type as string) === `xstate.done.actor.${kind}`)), kind).toBe(true);
    }
    for (const path of simple) await replay(path.steps);
  });
});
