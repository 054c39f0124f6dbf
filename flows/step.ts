import type { ConversationContext } from './context.js';
import type { Prompt } from './prompts.js';
import type { FlowEmitted, FlowEvent, HandoffReason } from './protocol.js';

export type { Prompt } from './prompts.js';

export type UserMessage = Extract<FlowEvent, { type: 'user.message' }>;

/** What a patient message means at a step: which transition fires, what changes, what is said. */
export interface Outcome<O extends string = string> {
  /** the step's own outcome, a global command ('g:*'), or 'miss' */
  outcome: O;
  patch?: Partial<ConversationContext>;
  /** replies and other emitted events, in order; computed against the patched context */
  emits?: FlowEmitted[];
}

/** Not an answer to this step: a hint (or "didn't catch that") and the question again. */
export type Miss = Outcome<'miss'>;

/**
 * The commands a patient may give at any step, read before the step's own answers (./classify.ts).
 * `g:survey`: a survey score (./survey.ts); `g:said`: answered where the patient is (an old "Yes, book it":
 * already booked); `g:replay`: that old button is looked up.
 */
export type GlobalOutcome = 'g:rem' | 'g:nudge' | 'g:survey' | 'g:lang' | 'g:language' | 'g:menu' | 'g:back' | 'g:stop' | 'g:help' | 'g:staff' | 'g:said' | 'g:replay';

/** How a step changes the global commands. */
export interface StepTraits {
  /** the patient types free text here (a name, a code): a command must be the whole message */
  freeText?: boolean;
  /** inside a booking: a bare "cancel" means "stop this", not "cancel an appointment" */
  cancelMeansStop?: boolean;
  /** why asking for staff from here hands off (default: the patient asked) */
  staffReason?: HandoffReason;
  /** typing "staff" asks for staff (default); not where the patient already is with staff */
  staffByWord?: boolean;
  /** "back" is the step's own answer here, not the global back (a specialty's doctors go back to the specialties) */
  ownBack?: (ctx: ConversationContext) => boolean;
  /** the only commands honoured here (default: all); any other message is the step's own answer */
  globals?: readonly GlobalOutcome[];
}

/**
 * One conversation step that waits for the patient: what it asks (`prompt`, from the context when it is
 * entered), what an answer means (`classify`, to one of `outcomes` or a miss), and its traits.
 */
export interface Step<N extends string = string, O extends string = string> extends StepTraits {
  readonly name: N;
  /** the step's own outcomes: the machine wires exactly these (./waiting.ts) */
  readonly outcomes: readonly O[];
  prompt(ctx: ConversationContext): Prompt;
  classify(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome<O | 'miss'>;
}

export type AnyStep = Step<string, string>;

/** The outcome names of a step module: `OutcomeOf<typeof dob>` is `'ok'`. */
export type OutcomeOf<S extends AnyStep> = S['outcomes'][number];

/** A step module, its outcome names inferred from `outcomes`; `classify` may return only those (or a miss). */
export function defineStep<const N extends string, const O extends string = never>(
  step: StepTraits & {
    name: N;
    outcomes: readonly O[];
    prompt(ctx: ConversationContext): Prompt;
    classify(ctx: ConversationContext, ev: UserMessage, choice: string | undefined): Outcome<NoInfer<O> | 'miss'>;
  },
): Step<N, O> {
  return step;
}
