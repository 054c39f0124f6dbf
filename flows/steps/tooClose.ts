import { missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Too close to the appointment to change it here: staff (handed off as too close) or the menu; no answer of its own. */
export const tooClose = defineStep({
  name: 'tooClose',
  outcomes: [],
  staffReason: 'too_close',
  prompt: (ctx) => prompt(k('manage.tooClose'), { startAt: ctx.target?.start, hours: ctx.facility.cutoffHours }, [option(CHOICE.menu.staff, k('choice.staff')), option(CHOICE.cmd.menu, k('choice.menu'))]),
  classify: (ctx) => missOutcome(ctx),
});

export type TooCloseOutcome = OutcomeOf<typeof tooClose>;
