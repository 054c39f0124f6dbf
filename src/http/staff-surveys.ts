import type Router from '@koa/router';
import type Koa from 'koa';
import type { Store } from '../store/types.js';
import { badRequest } from './errors.js';

/** The parts of the staff scope the survey view uses (src/http/staff.ts). */
export interface SurveyScope {
  readonly deps: { store: Store };
  readonly now: () => Date;
  reach(ctx: Koa.Context, facilityId: string): void;
}

const MAX_DAYS = 30;

/**
 * `GET /facilities/:id/surveys?days=7`: the post-visit surveys answered in the last `days` (1–30, what the
 * store keeps), newest first, with their count and average score. Low scores are also tickets in the inbox.
 */
export function mountSurveyRoutes(router: Router, scope: SurveyScope): void {
  router.get('/facilities/:facilityId/surveys', async (ctx) => {
    const facilityId = String((ctx as Router.RouterContext).params.facilityId);
    scope.reach(ctx, facilityId);
    const raw = (ctx.query as Record<string, unknown>).days;
    const days = raw === undefined ? 7 : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw badRequest(`days must be a whole number from 1 to ${MAX_DAYS}`);
    const answered = await scope.deps.store.surveys.answered(facilityId, scope.now().getTime() - days * 24 * 3600_000);
    const scores = answered.map((s) => s.score!);
    const average = scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null;
    ctx.body = {
      facilityId,
      days,
      count: answered.length,
      average,
      surveys: answered.map((s) => ({ contactId: s.contactId, appointmentId: s.appointmentId, score: s.score, ...(s.comment ? { comment: s.comment } : {}), low: s.score! <= s.lowScore, answeredAt: s.answeredAt })),
    };
  });
}
