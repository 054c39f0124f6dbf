import { missOutcome } from '../answers.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { msg, option, prompt, reply } from '../prompts.js';
import { CHOICE } from '../protocol.js';
import { defineStep, type OutcomeOf } from '../step.js';

/** The one-time code sent to the phone (six digits, free text): checked (`code`), `skip`ped, or sent again (`resend`). */
export const code = defineStep({
  name: 'code',
  outcomes: ['code', 'skip', 'resend'],
  freeText: true,
  cancelMeansStop: true,
  prompt: (ctx) => prompt(k('verify.prompt'), { masked: ctx.draft.masked ?? '' }, [option(CHOICE.verify.skip, k('choice.skip')), option(CHOICE.verify.resend, k('choice.resend'))]),
  classify(ctx, ev, choice) {
    if (choice === CHOICE.verify.skip || (!choice && hasIntent(ev.text, 'skip'))) {
      return { outcome: 'skip', patch: { draft: { ...ctx.draft, verify: 'skipped' } }, emits: [reply(ctx, msg(k('verify.skipped')))] };
    }
    if (choice === CHOICE.verify.resend || (!choice && hasIntent(ev.text, 'resend'))) return { outcome: 'resend' };
    const typed = (ev.text?.trim() ?? '').replace(/[\s-]/g, '');
    return /^\d{6}$/.test(typed) ? { outcome: 'code', patch: { pendingCode: typed } } : missOutcome(ctx);
  },
});

export type CodeOutcome = OutcomeOf<typeof code>;
