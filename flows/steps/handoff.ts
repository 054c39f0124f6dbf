import { k } from '../messages.js';
import { option, refs } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { startFromMenu } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Handed to staff: a menu choice starts it again; anything else is for staff to read (`ignore`). */
export const handoff = defineStep({
  name: 'handoff',
  outcomes: ['book', 'mine', 'manage', 'verify', 'erase', 'menu', 'ignore'],
  staffByWord: false,
  prompt: () => ({ choices: refs([option(CHOICE.cmd.menu, k('choice.menu'))]) }),
  classify: (ctx, ev, choice) => startFromMenu(ctx, ev, choice) ?? { outcome: 'ignore' },
});

export type HandoffOutcome = OutcomeOf<typeof handoff>;
