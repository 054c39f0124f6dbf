import { collect, missOutcome } from '../answers.js';
import { firstIntent } from '../intents.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The gender of whom the booking is for: tapped, or typed in any of the three languages. */
export const gender = defineStep({
  name: 'gender',
  outcomes: ['ok'],
  cancelMeansStop: true,
  prompt: () => prompt(k('details.gender'), undefined, [option('gender:male', k('choice.male')), option('gender:female', k('choice.female')), option('gender:other', k('choice.otherGender'))]),
  classify(ctx, ev, choice) {
    const said = firstIntent(ev.text, ['female', 'male', 'otherGender'] as const);
    const g = choice?.startsWith('gender:') ? choice.slice(7) : said === 'otherGender' ? 'other' : said;
    return g === 'male' || g === 'female' || g === 'other' ? collect(ctx, 'gender', g) : missOutcome(ctx);
  },
});

export type GenderOutcome = OutcomeOf<typeof gender>;
