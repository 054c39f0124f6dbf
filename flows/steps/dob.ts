import { collect, missOutcome } from '../answers.js';
import { isSelf } from '../context.js';
import { k } from '../messages.js';
import { ambiguousDob, parseDob } from '../parse.js';
import { msg, option, prompt, reply } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** A reading of an ambiguous date of birth, tapped (or its number typed): `dob:YYYY-MM-DD`. */
const DOB_CHOICE = /^dob:(\d{4}-\d{2}-\d{2})$/;

/**
 * The date of birth of whom the booking is for: a real past date (a future one gets its own hint). A numeric
 * date whose day and month could be either (03/04/1985) is asked about: "3 April 1985" or "4 March 1985".
 */
export const dob = defineStep({
  name: 'dob',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) => prompt(isSelf(ctx.draft) ? k('details.dob') : k('details.dobOther')),
  classify(ctx, ev, choice) {
    const picked = DOB_CHOICE.exec(choice ?? '')?.[1];
    if (picked && parseDob(picked, ev.at, ctx.facility.timezone).ok) return collect(ctx, 'dob', picked);
    const text = ev.text?.trim() ?? '';
    const both = ambiguousDob(text, ev.at, ctx.facility.timezone);
    if (both) {
      const options = both.map((d) => option(`dob:${d}`, k('choice.dob'), { birthDate: d }));
      return { outcome: 'miss', patch: { choices: options.map((o) => ({ id: o.id })) }, emits: [reply(ctx, msg(k('details.dobWhich'), undefined, options))] };
    }
    const r = parseDob(text, ev.at, ctx.facility.timezone);
    if (r.ok) return collect(ctx, 'dob', r.value);
    return missOutcome(ctx, r.reason === 'future' ? k('details.dobFuture') : k('details.dobInvalid'));
  },
});

export type DobOutcome = OutcomeOf<typeof dob>;
