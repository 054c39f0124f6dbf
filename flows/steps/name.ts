import { collect, missOutcome } from '../answers.js';
import { isSelf } from '../context.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { parseName } from '../parse.js';
import { prompt } from '../prompts.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The full name of whom the booking is for (free text: "Carcel" is a name, not "cancel"). */
export const name = defineStep({
  name: 'name',
  outcomes: ['ok'],
  freeText: true,
  cancelMeansStop: true,
  prompt: (ctx) => prompt(isSelf(ctx.draft) ? k('details.name') : k('details.nameOther')),
  classify(ctx, ev) {
    // "good morning" is two words, not a name: greeted back and asked again (../classify.ts)
    if (hasIntent(ev.text, 'greeting', true)) return missOutcome(ctx, k('details.nameInvalid'));
    const r = parseName(ev.text?.trim() ?? '');
    return r.ok ? collect(ctx, 'name', r.value) : missOutcome(ctx, k('details.nameInvalid'));
  },
});

export type NameOutcome = OutcomeOf<typeof name>;
