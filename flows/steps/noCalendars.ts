import { missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Nothing can be booked here online: staff or the menu; no answer of its own. */
export const noCalendars = defineStep({
  name: 'noCalendars',
  outcomes: [],
  prompt: () => prompt(k('book.noCalendars'), undefined, [option(CHOICE.menu.staff, k('choice.staff')), option(CHOICE.cmd.menu, k('choice.menu'))]),
  classify: (ctx) => missOutcome(ctx),
});

export type NoCalendarsOutcome = OutcomeOf<typeof noCalendars>;
