import { doctorName } from '../context.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/**
 * A write whose answer was lost is still unconfirmed: what it was, and "check again" (never "nothing changed").
 * Staff, help and language work as anywhere; any other message checks again (with the same key) before
 * anything else, so nothing is booked twice and nothing is said to be unchanged while it may have changed.
 */
export const unsettled = defineStep({
  name: 'unsettled',
  outcomes: ['retry'],
  globals: ['g:staff', 'g:help', 'g:language', 'g:lang'],
  staffReason: 'provider_error',
  prompt(ctx) {
    const choices = [option(CHOICE.cmd.retry, k('choice.checkAgain')), option(CHOICE.menu.staff, k('choice.staff'))];
    const t = ctx.target;
    if (ctx.mode === 'cancel') return prompt(k('manage.cancelUnsettled'), { doctor: doctorName(ctx, t?.calendarId), startAt: t?.start }, choices);
    if (ctx.mode === 'reschedule') return prompt(k('manage.rescheduleUnsettled'), { doctor: doctorName(ctx, t?.calendarId), startAt: ctx.draft.start }, choices);
    return prompt(k('book.unsettled'), { doctor: doctorName(ctx, ctx.draft.calendarId), startAt: ctx.draft.start }, choices);
  },
  classify: () => ({ outcome: 'retry' }),
});

export type UnsettledOutcome = OutcomeOf<typeof unsettled>;
