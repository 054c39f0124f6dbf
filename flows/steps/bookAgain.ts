import { missOutcome, yesNo } from '../answers.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { startBooking } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** After a cancellation: book a new appointment, or not (the menu). */
export const bookAgain = defineStep({
  name: 'bookAgain',
  outcomes: ['book', 'menu'],
  prompt: () => prompt(k('manage.bookAgain'), undefined, [option(CHOICE.menu.book, k('choice.bookAgain')), option(CHOICE.no, k('choice.noThanks'))]),
  classify(ctx, ev, choice) {
    if (choice === CHOICE.menu.book || yesNo(ev, choice) === 'yes' || hasIntent(ev.text, 'book')) return startBooking(ctx);
    if (yesNo(ev, choice) === 'no') return { outcome: 'menu' };
    return missOutcome(ctx);
  },
});

export type BookAgainOutcome = OutcomeOf<typeof bookAgain>;
