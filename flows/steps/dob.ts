import { collect, missOutcome } from '../answers.js';
import { isSelf } from '../context.js';
import { k } from '../messages.js';
import { parseDob } from '../parse.js';
import { prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The date of birth of whom the booking is for: a real past date (a future one gets its own hint). */
export const dob = defineStep({
  name: 'dob',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) => prompt(isSelf(ctx.draft) ? k('details.dob') : k('details.dobOther')),
  classify(ctx, ev) {
    const r = parseDob(ev.text?.trim() ?? '', ev.at, ctx.facility.timezone);
    if (r.ok) return collect(ctx, 'dob', r.value);
    return missOutcome(ctx, r.reason === 'future' ? k('details.dobFuture') : k('details.dobInvalid'));
  },
});

export type DobOutcome = OutcomeOf<typeof dob>;
