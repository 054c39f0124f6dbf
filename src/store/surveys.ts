import { K } from './keys.js';
import type { Indexes, KeyValue } from './types.js';

/** A post-visit survey asked of a contact (README "Care workflows"), and its answer once given. */
export interface SurveyRecord {
  appointmentId: string;
  askedAt: string;
  /** an answer after this is not read as a survey answer */
  until: string;
  /** scores at or below this open a staff ticket */
  lowScore: number;
  score?: number;
  comment?: string;
  answeredAt?: string;
}

/** how long an asked survey (with its score and comment) is kept */
export const SURVEY_TTL_MS = 30 * 24 * 3600_000;
/** a comment longer than this is cut (it is read by staff, never by the bot) */
export const SURVEY_COMMENT_MAX = 1000;

/** an answered survey as staff read it */
export interface AnsweredSurvey extends SurveyRecord {
  contactId: string;
}

/** how many expired index entries one new answer trims */
const TRIM_BATCH = 50;

/**
 * Surveys (`survey:{f}:{id}`): one per contact, the latest asked (a newer one replaces it), kept 30 days
 * (TTL) and erased with the contact. The first score wins; a score or comment after `until` is refused.
 * `surveys:{f}` indexes the answered ones by time for staff; its entries older than 30 days are trimmed as
 * new answers come, and an entry whose survey is gone is skipped.
 */
export class SurveyStore {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
  ) {}

  /** The survey about this appointment was sent to the contact (a repeat of the same one keeps its answer); until when it may be answered. */
  async ask(facilityId: string, contactId: string, survey: Omit<SurveyRecord, 'score' | 'comment' | 'answeredAt'>): Promise<string> {
    const cur = await this.get(facilityId, contactId);
    if (cur?.appointmentId === survey.appointmentId) return cur.until;
    await this.kv.set<SurveyRecord>(K.survey(facilityId, contactId), survey, SURVEY_TTL_MS);
    return survey.until;
  }

  get(facilityId: string, contactId: string): Promise<SurveyRecord | undefined> {
    return this.kv.get<SurveyRecord>(K.survey(facilityId, contactId));
  }

  /** The survey about `appointmentId` can take a score now (asked of this contact, not expired, not answered). */
  async open(facilityId: string, contactId: string, appointmentId: string, at: string): Promise<SurveyRecord | undefined> {
    const cur = await this.get(facilityId, contactId);
    if (!cur || cur.appointmentId !== appointmentId || cur.score !== undefined) return undefined;
    return Date.parse(at) <= Date.parse(cur.until) ? cur : undefined;
  }

  /** Records a score (the first one) or a comment (the first one, after a score); false when refused. */
  async answer(facilityId: string, contactId: string, a: { appointmentId: string; score?: number; comment?: string }, at: string): Promise<boolean> {
    const cur = await this.get(facilityId, contactId);
    if (!cur || cur.appointmentId !== a.appointmentId) return false;
    let next: SurveyRecord | undefined;
    if (a.score !== undefined && cur.score === undefined && Date.parse(at) <= Date.parse(cur.until)) next = { ...cur, score: a.score, answeredAt: at };
    else if (a.comment !== undefined && cur.score !== undefined && cur.comment === undefined) next = { ...cur, comment: a.comment.slice(0, SURVEY_COMMENT_MAX) };
    if (!next) return false;
    const left = Date.parse(cur.askedAt) + SURVEY_TTL_MS - Date.parse(at);
    await this.kv.set<SurveyRecord>(K.survey(facilityId, contactId), next, Math.max(left, 60_000));
    if (a.score !== undefined) await this.index(facilityId, contactId, Date.parse(at));
    return true;
  }

  /** The answered surveys of a facility since `sinceMs`, newest first. */
  async answered(facilityId: string, sinceMs: number, limit = 500): Promise<AnsweredSurvey[]> {
    // the newest `limit` entries only are read (range is oldest first)
    const entries = (await this.indexes.range(K.surveys(facilityId), sinceMs, Number.MAX_SAFE_INTEGER)).slice(-limit);
    const found = await Promise.all(entries.map(async (e) => ({ e, rec: await this.get(facilityId, e.member) })));
    return found
      .filter(({ rec }) => rec?.score !== undefined)
      .map(({ e, rec }) => ({ ...rec!, contactId: e.member }))
      .sort((x, y) => (y.answeredAt ?? '').localeCompare(x.answeredAt ?? ''));
  }

  /** the contact's answer leaves the staff list (erasure) */
  forget(facilityId: string, contactId: string): Promise<void> {
    return this.indexes.remove(K.surveys(facilityId), contactId);
  }

  private async index(facilityId: string, contactId: string, atMs: number): Promise<void> {
    const set = K.surveys(facilityId);
    await this.indexes.add(set, contactId, atMs);
    for (const old of await this.indexes.range(set, -Number.MAX_SAFE_INTEGER, atMs - SURVEY_TTL_MS, TRIM_BATCH)) await this.indexes.remove(set, old.member);
  }
}
