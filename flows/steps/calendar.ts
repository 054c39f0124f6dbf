import { missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { nameWords, option, prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** Which doctor or service: tapped, or typed by name. */
export const calendar = defineStep({
  name: 'calendar',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) => prompt(k('book.calendar'), undefined, ctx.calendars.map((cal) => option(`cal:${cal.id}`, k('choice.named'), { name: cal.name })), nameWords),
  classify(ctx, _ev, choice) {
    const id = choice?.startsWith('cal:') ? choice.slice(4) : undefined;
    if (!id || !ctx.calendars.some((c) => c.id === id)) return missOutcome(ctx);
    return { outcome: 'ok', patch: { draft: { ...ctx.draft, calendarId: id, appointmentTypeId: undefined, date: undefined, start: undefined } } };
  },
});

export type CalendarOutcome = OutcomeOf<typeof calendar>;
