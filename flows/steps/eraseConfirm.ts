import { missOutcome, yesNo } from '../answers.js';
import { k } from '../messages.js';
import { msg, option, prompt, reply } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** "Delete my data", confirmed (`yes`: the engine erases once this turn's replies are out) or not. */
export const eraseConfirm = defineStep({
  name: 'eraseConfirm',
  outcomes: ['yes', 'no'],
  prompt: () => prompt(k('erase.confirm'), undefined, [option(CHOICE.yes, k('choice.eraseYes')), option(CHOICE.no, k('choice.eraseNo'))]),
  classify(ctx, ev, choice) {
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return { outcome: 'yes', emits: [{ type: 'contact.erase' }, reply(ctx, msg(k('erase.done')))] };
    if (yn === 'no') return { outcome: 'no', emits: [reply(ctx, msg(k('erase.kept')))] };
    return missOutcome(ctx);
  },
});

export type EraseConfirmOutcome = OutcomeOf<typeof eraseConfirm>;
