import { missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { choiceHint, MENU_CHOICES, prompt } from '../prompts.js';
import { startFromMenu } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** What would you like to do (or, once shown, anything else)? `menu`: nothing to start (a phone that cannot be proved), said why. */
export const menu = defineStep({
  name: 'menu',
  outcomes: ['book', 'mine', 'manage', 'verify', 'erase', 'menu', 'info'],
  prompt: (ctx) => prompt(ctx.menuShown ? k('menu.anythingElse') : k('menu.prompt'), ctx.menuShown ? undefined : { hint: choiceHint(ctx) }, MENU_CHOICES),
  classify: (ctx, ev, choice) => startFromMenu(ctx, ev, choice) ?? missOutcome(ctx),
});

export type MenuOutcome = OutcomeOf<typeof menu>;
