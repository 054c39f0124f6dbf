import { missOutcome, writeKey, yesNo } from '../answers.js';
import { doctorName, typeName } from '../context.js';
import { k } from '../messages.js';
import { option } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The booking's summary card: confirm it (`yes`, with the write's idempotency key), or `change` the time. */
export const review = defineStep({
  name: 'review',
  outcomes: ['yes', 'change'],
  cancelMeansStop: true,
  prompt(ctx) {
    const d = ctx.draft;
    return {
      message: {
        key: k('book.summaryPrompt'),
        card: {
          titleKey: k('book.summaryTitle'),
          rows: [
            { labelKey: k('card.doctor'), value: doctorName(ctx, d.calendarId) },
            { labelKey: k('card.type'), value: typeName(ctx, d.calendarId, d.appointmentTypeId) },
            { labelKey: k('card.when'), value: { datetime: d.start ?? '' } },
            { labelKey: k('card.name'), value: d.name ?? '' },
            { labelKey: k('card.phone'), value: d.phone ?? '' },
          ],
        },
        choices: [option(CHOICE.yes, k('choice.confirmBooking')), option(CHOICE.changeTime, k('choice.changeTime')), option(CHOICE.cmd.menu, k('choice.menu'))],
      },
      choices: [{ id: CHOICE.yes }, { id: CHOICE.changeTime }, { id: CHOICE.cmd.menu }],
    };
  },
  classify(ctx, ev, choice) {
    if (choice === CHOICE.changeTime) return { outcome: 'change' };
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return { outcome: 'yes', patch: { opKey: writeKey(ctx, ev) } };
    // a "no" at the summary changes the time
    if (yn === 'no') return { outcome: 'change' };
    return missOutcome(ctx);
  },
});

export type ReviewOutcome = OutcomeOf<typeof review>;
