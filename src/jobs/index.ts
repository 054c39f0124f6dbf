import type { Logger } from '../log.js';
import type { StoreBackend } from '../store/types.js';
import { createBullQueue } from './bullmq.js';
import { createEmbeddedQueue } from './embedded.js';
import type { JobQueue } from './types.js';

export type * from './types.js';
export { createEmbeddedQueue, type EmbeddedQueue, type EmbeddedQueueOptions } from './embedded.js';
export { createBullQueue, encodeJobId, decodeJobId, type BullQueueOptions } from './bullmq.js';

export interface JobQueueOptions {
  backend: StoreBackend;
  /** when set, jobs run on BullMQ so several instances share them */
  redisUrl?: string;
  /** embedded: key namespace in the store; BullMQ: the Redis key prefix */
  namespace?: string;
  logger?: Logger;
  /** embedded only: the clock deciding what is due (tests move it); BullMQ uses Redis time */
  now?: () => number;
  /** embedded only: how often it looks for due jobs */
  pollMs?: number;
}

/** BullMQ when `redis` is configured, else the embedded queue persisted in the store. */
export function createJobQueue(opts: JobQueueOptions): JobQueue {
  if (opts.redisUrl) return createBullQueue({ redisUrl: opts.redisUrl, prefix: opts.namespace, logger: opts.logger });
  return createEmbeddedQueue({ backend: opts.backend, namespace: opts.namespace, logger: opts.logger, ...(opts.now ? { now: opts.now } : {}), ...(opts.pollMs ? { pollMs: opts.pollMs } : {}) });
}
