import { collect, missOutcome, yesNo } from '../answers.js';
import { isSelf } from '../context.js';
import { k } from '../messages.js';
import { option, prompt } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

const AGREE_OR_NOT = [option(CHOICE.yes, k('choice.agree')), option(CHOICE.no, k('choice.disagree'))];

/** The data-privacy consent, for the contact itself or on behalf of the person booked for. */
export const consent = defineStep({
  name: 'consent',
  outcomes: ['ok', 'declined'],
  cancelMeansStop: true,
  prompt(ctx) {
    const facility = ctx.facility.name;
    if (!isSelf(ctx.draft)) return prompt(k('consent.promptOther'), { facility }, AGREE_OR_NOT);
    const url = ctx.facility.privacyNoticeUrl;
    return url ? prompt(k('consent.promptWithUrl'), { facility, url }, AGREE_OR_NOT) : prompt(k('consent.prompt'), { facility }, AGREE_OR_NOT);
  },
  classify(ctx, ev, choice) {
    const yn = yesNo(ev, choice);
    if (yn === 'yes') return collect(ctx, 'consent', true);
    if (yn === 'no') return { outcome: 'declined' };
    return missOutcome(ctx);
  },
});

export type ConsentOutcome = OutcomeOf<typeof consent>;
