import { missOutcome } from '../answers.js';
import { calendarOf } from '../context.js';
import { startingDate } from '../wish.js';
import { k } from '../messages.js';
import { nameWords, option, prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** What kind of appointment with the chosen doctor: its availability is then read from this month. */
export const type = defineStep({
  name: 'type',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt(ctx) {
    const cal = calendarOf(ctx, ctx.draft.calendarId);
    const types = cal?.appointmentTypes ?? [];
    return prompt(k('book.type'), { doctor: cal?.name ?? '' }, types.map((t) => option(`type:${t.id}`, k('choice.named'), { name: t.name })), nameWords);
  },
  classify(ctx, ev, choice) {
    const id = choice?.startsWith('type:') ? choice.slice(5) : undefined;
    if (!id || !calendarOf(ctx, ctx.draft.calendarId)?.appointmentTypes.some((t) => t.id === id)) return missOutcome(ctx);
    // the date the request named ("tomorrow"), else this month
    const from = startingDate({ ...ctx, now: ev.at }, ctx.draft);
    return { outcome: 'ok', patch: { draft: { ...ctx.draft, appointmentTypeId: id, slots: [], datePage: 0, start: undefined, ...from } } };
  },
});

export type TypeOutcome = OutcomeOf<typeof type>;
