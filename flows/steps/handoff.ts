import { k } from '../messages.js';
import { option, refs } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { startFromMenu } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Handed to staff: a menu choice starts it again; anything else is for staff to read (`ignore`). */
export const handoff = defineStep({
  name: 'handoff',
  outcomes: ['book', 'mine', 'manage', 'verify', 'erase', 'menu', 'info', 'ignore'],
  staffByWord: false,
  prompt: () => ({ choices: refs([option(CHOICE.cmd.menu, k('choice.menu'))]) }),
  classify(ctx, ev, choice) {
    const started = startFromMenu(ctx, ev, choice);
    // a typed "what time…" to staff is for staff to read; only the tapped entry answers here
    if (started?.outcome === 'info' && choice !== CHOICE.menu.info) return { outcome: 'ignore' };
    return started ?? { outcome: 'ignore' };
  },
});

export type HandoffOutcome = OutcomeOf<typeof handoff>;
