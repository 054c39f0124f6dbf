import type { AnyStep, GlobalOutcome, OutcomeOf } from './step.js';
import type { StepName, Steps } from './steps/index.js';

/** The states of the statechart (./conversation.ts) that wait for the patient, built from their step modules. */

export const MENU = '#conversation.menu';
export const HANDOFF = '#conversation.handoff';

/** Where one outcome of a step leads: another state, or (no target) the same step, its answer applied. */
export interface Target {
  target?: string;
  reenter?: boolean;
}

/** What must hold for "back" to go to this target (the first that holds wins; none: the last target). */
export type BackGuard = 'hasCollected' | 'manyCalendars' | 'manyTypes' | 'manyAppointments' | 'isReschedule';
export interface Back {
  guard?: BackGuard;
  target?: string;
  /** forget the last detail given, so the state it goes to asks it again */
  actions?: 'popField';
}

export type WaitingStep = Steps[StepName];

/**
 * The transitions of a step's own outcomes: a key for each of its outcome names and no other, so a
 * misspelled or a missing outcome is a type error (`On<typeof dob>` is `{ ok: Target }`).
 */
export type On<S extends AnyStep> = [OutcomeOf<S>] extends [never] ? Record<string, never> : { readonly [K in OutcomeOf<S>]: Target };

/** The commands every step honours (back is the step's own: see `back`). */
const GLOBALS: Record<Exclude<GlobalOutcome, 'g:back'>, Target> = {
  'g:rem': { target: '#conversation.manage', reenter: true },
  'g:nudge': { target: '#conversation.book', reenter: true },
  'g:survey': { target: '#conversation.surveyComment', reenter: true },
  'g:menu': { target: MENU, reenter: true },
  'g:stop': { target: '#conversation.idle' },
  'g:help': {},
  'g:staff': { target: HANDOFF, reenter: true },
  'g:language': {},
  'g:lang': {},
  'g:said': {},
  'g:replay': { target: '#conversation.replayed', reenter: true },
};

/** The same check at run time, for a map the type system did not see (a cast, a plain JS caller). */
function assertWired(step: AnyStep, outcomes: object): void {
  const wired = Object.keys(outcomes).sort().join(', ');
  const own = [...step.outcomes].sort().join(', ');
  if (wired !== own) throw new Error(`step ${step.name} wires outcomes [${wired}] but has [${own}]`);
}

/**
 * A state waiting at `step`: it asks the step's prompt on entry; a message fires a global command, one of
 * the step's outcomes (`outcomes`), "back" (`back`: the first target whose guard holds), else a miss
 * (the same step, the miss applied).
 */
export function waiting<S extends WaitingStep>(step: S, outcomes: NoInfer<On<S>>, back: Back[] = [{ target: MENU }]) {
  assertWired(step, outcomes);
  const name: StepName = step.name;
  const apply = { type: 'apply' as const, params: { step: name } };
  const all: Record<string, Target> = { ...GLOBALS, ...outcomes };
  const transitions = [
    ...Object.entries(all).map(([outcome, t]) => ({
      guard: { type: 'is' as const, params: { step: name, outcome } },
      ...(t.target ? { target: t.target } : {}),
      ...(t.reenter ? { reenter: true } : {}),
      actions: [apply],
    })),
    ...back.map((t) => ({
      guard: t.guard ? { type: 'backWhen' as const, params: { step: name, when: t.guard } } : { type: 'is' as const, params: { step: name, outcome: 'g:back' } },
      target: t.target ?? MENU,
      reenter: true,
      actions: [apply, ...(t.actions ? [{ type: t.actions }] : [])],
    })),
    { actions: [apply] },
  ];
  return {
    entry: [{ type: 'ask' as const, params: { step: name } }],
    on: { 'user.message': transitions },
  };
}

/** The first message of a conversation is greeted before it is handled (answers to a push or an old button are not). */
export function greetFirst(state: ReturnType<typeof waiting>) {
  return {
    entry: state.entry,
    on: {
      'user.message': state.on['user.message'].map((t) =>
        'guard' in t && t.guard.type === 'is' && ['g:rem', 'g:nudge', 'g:survey', 'g:said', 'g:replay'].includes((t.guard.params as { outcome?: string }).outcome ?? '') ? t : { ...t, actions: [{ type: 'greet' as const }, ...t.actions] },
      ),
    },
  };
}
