import { collect, missOutcome, yesNo } from '../answers.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Consent was declined: agree after all, or go to staff or the menu. */
export const consentDeclined = defineStep({
  name: 'consentDeclined',
  outcomes: ['ok'],
  prompt: () => prompt(k('consent.declined'), undefined, [option(CHOICE.yes, k('choice.agree')), option(CHOICE.menu.staff, k('choice.staff')), option(CHOICE.cmd.menu, k('choice.menu'))]),
  classify: (ctx, ev, choice) => (yesNo(ev, choice) === 'yes' ? collect(ctx, 'consent', true) : missOutcome(ctx)),
});

export type ConsentDeclinedOutcome = OutcomeOf<typeof consentDeclined>;
