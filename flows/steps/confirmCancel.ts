import { missOutcome, writeKey, yesNo } from '../answers.js';
import { doctorName } from '../context.js';
import { k } from '../messages.js';
import { msg, option, reply } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The appointment to cancel, on a card: cancel it (`yes`, with the write's idempotency key) or keep it (`no`). */
export const confirmCancel = defineStep({
  name: 'confirmCancel',
  outcomes: ['yes', 'no'],
  prompt(ctx) {
    const tgt = ctx.target;
    return {
      message: {
        key: k('manage.cancelPrompt'),
        card: {
          titleKey: k('manage.cancelTitle'),
          rows: [
            { labelKey: k('card.doctor'), value: doctorName(ctx, tgt?.calendarId) },
            { labelKey: k('card.when'), value: { datetime: tgt?.start ?? '' } },
            { labelKey: k('card.reference'), value: tgt?.appointmentId ?? '' },
          ],
        },
        choices: [option(CHOICE.yes, k('choice.confirmCancel')), option(CHOICE.no, k('choice.keep'))],
      },
      choices: [{ id: CHOICE.yes }, { id: CHOICE.no }],
    };
  },
  classify(ctx, ev, choice) {
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return { outcome: 'yes', patch: { opKey: writeKey(ctx, ev) } };
    if (yn === 'no') return { outcome: 'no', emits: [reply(ctx, msg(k('manage.kept')))] };
    return missOutcome(ctx);
  },
});

export type ConfirmCancelOutcome = OutcomeOf<typeof confirmCancel>;
