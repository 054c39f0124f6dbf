import { collect, missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { parseNationalId } from '../parse.js';
import { prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The national id, where the facility asks for one (free text). */
export const nationalId = defineStep({
  name: 'nationalId',
  outcomes: ['ok'],
  freeText: true,
  cancelMeansStop: true,
  prompt: () => prompt(k('details.nationalId')),
  classify(ctx, ev) {
    const r = parseNationalId(ev.text?.trim() ?? '');
    return r.ok ? collect(ctx, 'nationalId', r.value) : missOutcome(ctx, k('details.nationalIdInvalid'));
  },
});

export type NationalIdOutcome = OutcomeOf<typeof nationalId>;
