import type { Logger } from '../log.js';
import { recordAudit } from '../store/audit.js';
import { eraseContact } from '../store/erasure.js';
import type { Store } from '../store/types.js';
import type { JobQueue, JobSpec } from './types.js';

/** a patient asked in chat to be forgotten: erased after the goodbye was sent (a durable job survives a crash in between) */
export const CHAT_ERASE_JOB = 'privacy.erase';
/** long enough for the goodbye to leave before the records it was sent from go */
export const CHAT_ERASE_DELAY_MS = 30_000;

interface ChatErase {
  facilityId: string;
  contactId: string;
}

export const chatEraseJob = (facilityId: string, contactId: string, nowMs: number): JobSpec<ChatErase> => ({
  id: `erase:${facilityId}:${contactId}`,
  name: CHAT_ERASE_JOB,
  payload: { facilityId, contactId },
  runAt: nowMs + CHAT_ERASE_DELAY_MS,
});

export function registerChatErase(queue: JobQueue, store: Store, now: () => Date, logger: Logger): void {
  queue.register<ChatErase>(CHAT_ERASE_JOB, async (job) => {
    const { facilityId, contactId } = job.payload;
    const report = await eraseContact(store, facilityId, contactId, now());
    const counts = { patientsDeleted: report?.patientsDeleted.length ?? 0, appointmentsAnonymized: report?.appointmentsAnonymized.length ?? 0 };
    await recordAudit(store, { actor: 'patient-in-chat', action: 'contact.erase', facilityId, targets: { contactId }, counts, outcome: report ? 'ok' : 'not_found' });
    logger.info({ facilityId, contactId }, 'contact erased at their request in chat');
  });
}
