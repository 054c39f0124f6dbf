import { Duration } from 'luxon';
import type { SyncDeps } from '../apply.js';
import type { FacilityConfig } from '../../config/schema.js';
import { CARE_JOB, type CarePayload } from './care.js';
import { afterAt } from './timing.js';

/*
 * A care offer (follow-up, rebook nudge, survey) waits while the patient is chatting: pushed mid-booking, a
 * typed "2" meant for the booking's list would be read as the offer's answer (a survey score of 2, a ticket).
 * It goes out once the conversation has been quiet for CHAT_PAUSE, at most MAX_WAITS times later.
 */
const CHAT_PAUSE = 'PT10M';
const CHAT_PAUSE_MS = Duration.fromISO(CHAT_PAUSE).toMillis();
const MAX_WAITS = 6;

/** Did the contact's conversation take a turn within the pause? */
export async function chatting(deps: Pick<SyncDeps, 'store' | 'now'>, facilityId: string, contactId: string): Promise<boolean> {
  const c = await deps.store.conversations.get(facilityId, contactId);
  return c !== undefined && deps.now() - Date.parse(c.updatedAt) < CHAT_PAUSE_MS;
}

/** The id every later try of one care job shares for its message: one offer however often it waited. */
export const careOrigin = (jobId: string, p: CarePayload): string => p.origin ?? jobId;

/** Queues the same care message once more after the pause (out of quiet hours); false when it has waited enough. */
export async function waitForQuiet(deps: Pick<SyncDeps, 'queue' | 'now'>, f: FacilityConfig, jobId: string, p: CarePayload): Promise<boolean> {
  const waits = (p.waits ?? 0) + 1;
  const runAt = waits <= MAX_WAITS ? afterAt(deps.now(), CHAT_PAUSE, f.timezone, f.quietHours) : undefined;
  if (runAt === undefined) return false;
  const origin = careOrigin(jobId, p);
  // a retry of this job after a crash queues the same id again: a no-op
  await deps.queue.enqueue({ id: `${origin}:wait${waits}`, name: CARE_JOB, payload: { ...p, origin, waits }, runAt, attempts: 3 });
  return true;
}
