import { Duration } from 'luxon';
import type { Appointment, Contact } from '../../core/domain.js';
import type { SyncDeps } from '../apply.js';
import type { NoticeDescriptor } from '../notices.js';
import { surveyChoiceId, SURVEY_SCORES } from '../../core/survey-choice.js';

/**
 * The post-visit survey (README "Care workflows"): one 0–10 question whose choices are the numbers (on SMS
 * and WhatsApp the text asks for the number, ../../../channels/sms/render.ts), answerable until `expiresAfter`
 * after it was sent. The survey asked is kept per contact (../../store/surveys.ts): the engine reads a score
 * only for that contact's open survey, so an old or forged tap is "closed".
 */
export function surveyDescriptor(appt: Appointment, lowScore: number, params: Record<string, unknown>): NoticeDescriptor {
  return {
    key: 'workflow.survey',
    params,
    scale: true,
    choices: SURVEY_SCORES.map((n) => ({ id: surveyChoiceId(n, lowScore, appt.appointmentId), key: 'workflow.choice.score', params: { score: String(n) } })),
  };
}

/** When the survey sent now stops taking answers. */
export const surveyUntil = (now: number, expiresAfter: string): string => new Date(now + Duration.fromISO(expiresAfter).toMillis()).toISOString();

/** Records that the contact was asked (before the message goes out: an answer must find it). */
export async function recordAsked(deps: Pick<SyncDeps, 'store' | 'now'>, facilityId: string, contact: Contact, appt: Appointment, s: { expiresAfter: string; lowScore: number }): Promise<string> {
  const now = deps.now();
  return deps.store.surveys.ask(facilityId, contact.id, { appointmentId: appt.appointmentId, askedAt: new Date(now).toISOString(), until: surveyUntil(now, s.expiresAfter), lowScore: s.lowScore });
}
