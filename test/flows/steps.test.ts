import { readdirSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { conversationMachine } from '../../flows/conversation.js';
import { defineStep, type OutcomeOf } from '../../flows/step.js';
import { consent } from '../../flows/steps/consent.js';
import { dob } from '../../flows/steps/dob.js';
import { STEPS, type StepName } from '../../flows/steps/index.js';
import { tooClose } from '../../flows/steps/tooClose.js';
import { waiting, type On } from '../../flows/waiting.js';

/**
 * A step's outcomes are typed: the machine's transitions for a step (`waiting(step, { ... })`) must name
 * exactly its outcomes, and its `classify` may return no other. The `@ts-expect-error` lines are checked
 * by `tsc --noEmit` (test files are in tsconfig's include): were a typo accepted, the directive would be
 * unused, and that is a type error. The same maps are refused at run time too, which vitest checks.
 */
describe('typed step outcomes', () => {
  const route = { target: '#conversation.book.route' };

  it('the transitions of a step name exactly its outcomes', () => {
    expectTypeOf<OutcomeOf<typeof dob>>().toEqualTypeOf<'ok'>();
    expectTypeOf<keyof On<typeof consent>>().toEqualTypeOf<'ok' | 'declined'>();
    expect(() => waiting(dob, { ok: route })).not.toThrow();
    expect(() => waiting(consent, { ok: route, declined: {} })).not.toThrow();
    expect(() => waiting(tooClose, {})).not.toThrow();
  });

  it('a misspelled outcome does not type-check (nor build)', () => {
    // @ts-expect-error 'okk' is not an outcome of dob
    expect(() => waiting(dob, { okk: route })).toThrow(/step dob wires outcomes \[okk\] but has \[ok\]/);
    // @ts-expect-error 'decline' is not an outcome of consent ('declined' is)
    expect(() => waiting(consent, { ok: route, decline: {} })).toThrow(/consent/);
  });

  it('a missing outcome does not type-check (nor build)', () => {
    // @ts-expect-error consent's 'declined' has no transition
    expect(() => waiting(consent, { ok: route })).toThrow(/consent wires outcomes \[ok\] but has \[declined, ok\]/);
    // @ts-expect-error a step without outcomes of its own takes no transitions for them
    expect(() => waiting(tooClose, { ok: route })).toThrow(/tooClose/);
  });

  it('a step may classify an answer only as one of its outcomes or a miss', () => {
    const probe = (text: string) =>
      defineStep({
        name: 'probe',
        outcomes: ['yes'],
        prompt: () => ({ choices: [] }),
        // @ts-expect-error 'yse' is not one of the outcomes declared above
        classify: () => (text === 'yes' ? { outcome: 'yes' } : { outcome: 'yse' }),
      });
    expectTypeOf<OutcomeOf<ReturnType<typeof probe>>>().toEqualTypeOf<'yes'>();
    expect(probe('yes').outcomes).toEqual(['yes']);
  });
});

/** Every step the statechart waits at, with the outcomes it wires there, read off the built machine. */
function stepsInMachine(): Map<string, Set<string>> {
  const wired = new Map<string, Set<string>>();
  const note = (step: string, outcome?: string) => {
    const set = wired.get(step) ?? new Set<string>();
    if (outcome && !outcome.startsWith('g:')) set.add(outcome);
    wired.set(step, set);
  };
  const visit = (node: AnyStateNode) => {
    for (const a of node.entry as { type?: string; params?: { step?: string } }[]) if (a.type === 'ask' && a.params?.step) note(a.params.step);
    for (const list of node.transitions.values()) {
      for (const t of list) {
        const g = t.guard as { type?: string; params?: { step?: string; outcome?: string } } | undefined;
        if (g?.params?.step) note(g.params.step, g.type === 'is' ? g.params.outcome : undefined);
      }
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(conversationMachine.root);
  return wired;
}

describe('one module per step', () => {
  const names = Object.keys(STEPS).sort();

  it('every step of the machine has a step module, and every step module is used by the machine', () => {
    expect([...stepsInMachine().keys()].sort()).toEqual(names);
  });

  it('each waiting state wires every outcome of its step, and no other', () => {
    for (const [step, outcomes] of stepsInMachine()) expect([...outcomes].sort(), step).toEqual([...STEPS[step as StepName].outcomes].sort());
  });

  it('flows/steps holds exactly the step modules, each file named after its step', () => {
    const files = readdirSync(new URL('../../flows/steps/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.slice(0, -3))
      .sort();
    expect(files).toEqual(names);
    for (const name of names) expect(STEPS[name as StepName].name).toBe(name);
  });
});
