import { missOutcome, writeKey, yesNo } from '../answers.js';
import { doctorName } from '../context.js';
import { k } from '../messages.js';
import { msg, option, reply } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The reschedule's card (current and new time): move it (`yes`), `change` the new time, or keep it (`no`). */
export const reviewReschedule = defineStep({
  name: 'reviewReschedule',
  outcomes: ['yes', 'change', 'no'],
  prompt(ctx) {
    const tgt = ctx.target;
    return {
      message: {
        key: k('manage.reschedulePrompt'),
        card: {
          titleKey: k('manage.rescheduleTitle'),
          rows: [
            { labelKey: k('card.doctor'), value: doctorName(ctx, tgt?.calendarId) },
            { labelKey: k('card.currentTime'), value: { datetime: tgt?.start ?? '' } },
            { labelKey: k('card.newTime'), value: { datetime: ctx.draft.start ?? '' } },
          ],
        },
        choices: [option(CHOICE.yes, k('choice.confirmReschedule')), option(CHOICE.changeTime, k('choice.changeTime')), option(CHOICE.no, k('choice.keep'))],
      },
      choices: [{ id: CHOICE.yes }, { id: CHOICE.changeTime }, { id: CHOICE.no }],
    };
  },
  classify(ctx, ev, choice) {
    if (choice === CHOICE.changeTime) return { outcome: 'change' };
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return { outcome: 'yes', patch: { opKey: writeKey(ctx, ev) } };
    if (yn === 'no') return { outcome: 'no', emits: [reply(ctx, msg(k('manage.kept')))] };
    return missOutcome(ctx);
  },
});

export type ReviewRescheduleOutcome = OutcomeOf<typeof reviewReschedule>;
