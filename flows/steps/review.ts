import { missOutcome, writeKey, yesNo } from '../answers.js';
import { doctorName, typeName } from '../context.js';
import { calendarRows } from '../knowledge.js';
import { k } from '../messages.js';
import { option } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { confirmChoiceId } from '../replay.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** A gender as the patient picked it, in their language. */
const GENDER_KEYS: Record<string, string> = { male: k('choice.male'), female: k('choice.female'), other: k('choice.otherGender') };

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
            ...calendarRows(ctx, d.calendarId),
            { labelKey: k('card.name'), value: d.name ?? '' },
            { labelKey: k('card.phone'), value: d.phone ?? '' },
            ...(d.dob ? [{ labelKey: k('card.dob'), value: { birthDate: d.dob } }] : []),
            ...(d.gender && GENDER_KEYS[d.gender] ? [{ labelKey: k('card.gender'), value: { key: GENDER_KEYS[d.gender]! } }] : []),
          ],
        },
        // the confirm button names the slot it confirms: tapped again once booked, it is answered, not booked twice
        choices: [option(confirmChoiceId(ctx), k('choice.confirmBooking')), option(CHOICE.changeTime, k('choice.changeTime')), option(CHOICE.cmd.menu, k('choice.menu'))],
      },
      choices: [{ id: confirmChoiceId(ctx) }, { id: CHOICE.changeTime }, { id: CHOICE.cmd.menu }],
    };
  },
  classify(ctx, ev, choice) {
    if (choice === CHOICE.changeTime) return { outcome: 'change' };
    if (choice === confirmChoiceId(ctx)) return { outcome: 'yes', patch: { opKey: writeKey(ctx, ev) } };
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return { outcome: 'yes', patch: { opKey: writeKey(ctx, ev) } };
    // a "no" at the summary changes the time
    if (yn === 'no') return { outcome: 'change' };
    return missOutcome(ctx);
  },
});

export type ReviewOutcome = OutcomeOf<typeof review>;
