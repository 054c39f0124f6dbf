import { MENU_CHOICES, refs } from '../prompts.js';
import { startFromMenu } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Between operations, the menu not shown: a message starts what it asks for, anything else shows the menu. */
export const idle = defineStep({
  name: 'idle',
  outcomes: ['book', 'mine', 'manage', 'verify', 'erase', 'menu', 'info'],
  prompt: () => ({ choices: refs(MENU_CHOICES) }),
  classify: (ctx, ev, choice) => startFromMenu(ctx, ev, choice) ?? { outcome: 'menu' },
});

export type IdleOutcome = OutcomeOf<typeof idle>;
