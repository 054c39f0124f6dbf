import { missOutcome } from '../answers.js';
import { hasIntent } from '../intents.js';
import { k } from '../messages.js';
import { msg, option, prompt, reply } from '../prompts.js';
import { SURVEY_SKIP } from '../protocol.js';
import { startFromMenu } from '../starting.js';
import { defineStep, type OutcomeOf } from '../step.js';

const REQUESTS = ['book', 'reschedule', 'cancel', 'mine', 'deleteData', 'verify'] as const;

/** After a survey score: anything the patient types is its comment (kept for staff); Skip or "no" ends it. */
export const surveyComment = defineStep({
  name: 'surveyComment',
  outcomes: ['comment', 'skip', 'book', 'erase', 'verify', 'mine', 'manage', 'menu', 'info'],
  freeText: true,
  staffByWord: true,
  globals: ['g:survey', 'g:said', 'g:rem', 'g:nudge', 'g:menu', 'g:stop', 'g:staff', 'g:lang', 'g:language'],
  prompt: (ctx) => {
    const low = ctx.survey?.low === true;
    return prompt(low ? k('survey.askCommentLow') : k('survey.askComment'), { score: String(ctx.survey?.score ?? '') }, [option(SURVEY_SKIP, k('choice.skip'))]);
  },
  classify(ctx, ev, choice) {
    const done = { survey: undefined };
    // the whole message "no" or "skip": a comment that merely contains "not" is a comment
    if (choice === SURVEY_SKIP || (!ev.choiceId && (hasIntent(ev.text, 'skip', true) || hasIntent(ev.text, 'no', true)))) return { outcome: 'skip', patch: done, emits: [reply(ctx, msg(k('survey.thanks')))] };
    const text = ev.text?.trim();
    // a whole-message request ("book", "my appointments") is that request, not a comment about the visit
    const started = !ev.choiceId && REQUESTS.some((i) => hasIntent(text, i, true)) ? startFromMenu(ctx, ev, choice) : undefined;
    if (started) return { ...started, patch: { ...started.patch, survey: undefined } };
    if (ev.choiceId || !text || !ctx.survey) return missOutcome(ctx);
    return {
      outcome: 'comment',
      patch: done,
      emits: [{ type: 'survey.answer', appointmentId: ctx.survey.appointmentId, comment: text }, reply(ctx, msg(k('survey.thanksComment')))],
    };
  },
});

export type SurveyCommentOutcome = OutcomeOf<typeof surveyComment>;
