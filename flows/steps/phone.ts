import { collect, missOutcome } from '../answers.js';
import { k } from '../messages.js';
import { parsePhone, phoneExample } from '../parse.js';
import { prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The mobile number to reach the patient on: typed, or shared by the platform, read with the facility's country. */
export const phone = defineStep({
  name: 'phone',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: (ctx) => prompt(k('details.phone'), { example: phoneExample(ctx.facility.country) }),
  classify(ctx, ev) {
    const r = parsePhone(ev.phone ?? ev.text?.trim() ?? '', ctx.facility.country);
    return r.ok ? collect(ctx, 'phone', r.value) : missOutcome(ctx, k('details.phoneInvalid'), { example: phoneExample(ctx.facility.country) });
  },
});

export type PhoneOutcome = OutcomeOf<typeof phone>;
