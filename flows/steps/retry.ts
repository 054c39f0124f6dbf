import { missOutcome } from '../answers.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The hospital's system did not answer a read (or a confirm): try again, or the menu. */
export const retry = defineStep({
  name: 'retry',
  outcomes: ['retry'],
  prompt: () => prompt(k('common.providerDown'), undefined, [option(CHOICE.cmd.retry, k('choice.retry')), option(CHOICE.cmd.menu, k('choice.menu'))]),
  classify(ctx, ev, choice) {
    if (choice === CHOICE.cmd.retry || (!choice && (hasIntent(ev.text, 'retry') || hasIntent(ev.text, 'yes')))) return { outcome: 'retry' };
    return missOutcome(ctx);
  },
});

export type RetryOutcome = OutcomeOf<typeof retry>;
