import { k } from './messages.js';
import { msg, reply } from './prompts.js';
import { parseSurveyChoice, SURVEY_CLOSED, type FlowEmitted } from './protocol.js';
import type { ConversationContext } from './context.js';
import type { GlobalOutcome, Outcome } from './step.js';

/**
 * A post-visit survey's score, tapped or typed (the question comes from src/sync/workflows/survey.ts; the
 * engine turns a tap on a survey that is no longer open into `survey:closed`). Accepted in any state, as a
 * reminder's answer is: the score is kept, a low one opens a staff ticket, then an optional comment.
 */
export function surveyOutcome(ctx: ConversationContext, choice: string | undefined): Outcome<GlobalOutcome> | undefined {
  if (choice === SURVEY_CLOSED) return { outcome: 'g:said', emits: [reply(ctx, msg(k('survey.closed')))] };
  const s = parseSurveyChoice(choice);
  if (!s) return undefined;
  const emits: FlowEmitted[] = [{ type: 'survey.answer', appointmentId: s.appointmentId, score: s.score }];
  if (s.low) emits.push({ type: 'handoff', reason: 'low_survey_score' });
  return { outcome: 'g:survey', patch: { survey: s }, emits };
}
