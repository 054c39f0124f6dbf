import { missOutcome } from '../answers.js';
import type { ConversationContext } from '../context.js';
import { clinicPhone } from '../knowledge.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/**
 * Our own cutoff says how many hours that is; a refusal from the hospital's system (its own rule, which may
 * be anything) says only that it refused, with the clinic's number.
 */
function why(ctx: ConversationContext) {
  if (ctx.tooCloseBy !== 'hospital') return { key: k('manage.tooClose'), params: { startAt: ctx.target?.start, hours: ctx.facility.cutoffHours } };
  const contact = clinicPhone(ctx);
  return contact
    ? { key: k('manage.refusedByHospital'), params: { startAt: ctx.target?.start, contact } }
    : { key: k('manage.refusedByHospitalNoContact'), params: { startAt: ctx.target?.start } };
}

/** Too close to the appointment to change it here: staff (handed off as too close) or the menu; no answer of its own. */
export const tooClose = defineStep({
  name: 'tooClose',
  outcomes: [],
  staffReason: 'too_close',
  prompt(ctx) {
    const { key, params } = why(ctx);
    return prompt(key, params, [option(CHOICE.menu.staff, k('choice.staff')), option(CHOICE.cmd.menu, k('choice.menu'))]);
  },
  classify: (ctx) => missOutcome(ctx),
});

export type TooCloseOutcome = OutcomeOf<typeof tooClose>;
