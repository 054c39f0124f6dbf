import type { OutboundMessage } from '../core/messages.js';
import type { Outbox } from './outbox.js';
import type { JobQueue } from './types.js';

/** sends scheduled as jobs by an older version: handed to the recipients' queue (a sent one is not sent again) */
export function adoptLegacySendJobs(queue: JobQueue, outbox: Pick<Outbox, 'enqueue' | 'enqueueBatch'>): void {
  queue.register<OutboundMessage>('outbox.send', async (job) => void (await outbox.enqueue(job.payload)));
  queue.register<{ messages: OutboundMessage[] }>('outbox.batch', async (job) => void (await outbox.enqueueBatch(job.payload.messages)));
}
