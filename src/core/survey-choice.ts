/**
 * A post-visit survey's choice ids, as the flows read them (flows/protocol.ts) and sync builds them
 * (src/sync/workflows/survey.ts): `survey:<score 0–10>:<low score>:<appointmentId>`, `survey:skip`, and
 * `survey:closed`, the engine's stand-in for a score tapped on a survey that is no longer open.
 */
/** A survey's score; `low`: at or below the facility's low score (a staff ticket). */
export interface SurveyChoice {
  appointmentId: string;
  score: number;
  low: boolean;
}
export const SURVEY_SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export const SURVEY_SKIP = 'survey:skip';
export const SURVEY_CLOSED = 'survey:closed';
export const surveyChoiceId = (score: number, lowScore: number, appointmentId: string): string => `survey:${score}:${lowScore}:${appointmentId}`;
export function parseSurveyChoice(choiceId: string | undefined): SurveyChoice | undefined {
  const m = /^survey:(\d{1,2}):(\d{1,2}):(.+)$/.exec(choiceId ?? '');
  if (!m) return undefined;
  const score = Number(m[1]);
  return score <= 10 ? { appointmentId: m[3]!, score, low: score <= Number(m[2]) } : undefined;
}
