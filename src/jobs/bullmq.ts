import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { JobHandler, JobInfo, JobQueue, JobSpec, JobState } from './types.js';

/**
 * JobQueue on BullMQ 5 (Redis), for deployments with several instances.
 *
 * One queue holding every job, named by job name, and one Worker dispatching on the name:
 * `get(id)` and `cancel(id)` receive only an id, and one queue lets them find the job without a
 * name→queue map kept beside BullMQ. The worker's concurrency is the sum of the registered
 * handlers' concurrencies; each name is further held to its own limit in-process.
 *
 * Dedupe: BullMQ ignores `add` with a jobId that still exists (whatever its state). Finished jobs
 * are therefore kept `retentionMs` (default 7 days) so that re-scheduling a finished id stays a
 * no-op during that window; after it the id is free again. A longer window costs Redis memory
 * (one hash per job). BullMQ evicts aged jobs lazily (when a later job finishes), so the window is
 * a minimum, never shorter. Failed jobs are kept 30 days for staff to inspect; enqueueing a failed id
 * again replaces it (same rule as the embedded queue).
 *
 * Ids: BullMQ rejects custom ids containing ':' (unless they split into exactly three parts) and
 * ids that parse as integers, so our ids are stored encoded (`encodeJobId`); our own id travels
 * in the job data.
 */
export interface BullQueueOptions {
  redisUrl: string;
  /** Redis key prefix (default `frontdesk`) */
  prefix?: string;
  logger?: Logger;
  /** BullMQ queue name (default `jobs`) */
  queueName?: string;
  /** first retry delay, doubling (BullMQ exponential backoff; default 1 s) */
  backoffMs?: number;
  /** how long completed jobs (and so their ids) are kept (default 7 days) */
  retentionMs?: number;
}

interface JobData {
  id: string;
  payload: unknown;
  /** distinguishes our add from an earlier one BullMQ kept (duplicate add → false) */
  token: string;
}

const DEFAULT_ATTEMPTS = 5;
const FAILED_RETENTION_S = 30 * 24 * 60 * 60;
const PING_TIMEOUT_MS = 2000;
const CANCELED_TTL_MS = 7 * 24 * 60 * 60_000;

/** Our ids may hold ':' and may be all digits; BullMQ accepts neither. Deterministic and reversible. */
export const encodeJobId = (id: string): string => `j-${encodeURIComponent(id)}`;
export const decodeJobId = (jobId: string): string => decodeURIComponent(jobId.replace(/^j-/, ''));

const STATE: Record<string, JobState> = {
  waiting: 'pending',
  delayed: 'pending',
  prioritized: 'pending',
  'waiting-children': 'pending',
  paused: 'pending',
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface Registered {
  fn: JobHandler<unknown>;
  concurrency: number;
  gate: Semaphore;
}

/** one BullMQ queue's settings and its connections, opened on first use */
interface BullState {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queueName: string;
  readonly log: Logger | undefined;
  readonly backoffMs: number;
  readonly retentionS: number;
  readonly handlers: Map<string, Registered>;
  connection: Redis | undefined;
  queue: Queue | undefined;
  worker: Worker | undefined;
}

function initialState(opts: BullQueueOptions): BullState {
  return {
    redisUrl: opts.redisUrl,
    prefix: opts.prefix ?? 'frontdesk',
    queueName: opts.queueName ?? 'jobs',
    log: opts.logger,
    backoffMs: opts.backoffMs ?? 1000,
    retentionS: Math.ceil((opts.retentionMs ?? 7 * 24 * 60 * 60_000) / 1000),
    handlers: new Map(),
    connection: undefined,
    queue: undefined,
    worker: undefined,
  };
}

function conn(s: BullState): Redis {
  if (s.connection) return s.connection;
  // BullMQ workers need maxRetriesPerRequest: null (commands wait for a reconnect instead of failing)
  const connection = new Redis(s.redisUrl, { maxRetriesPerRequest: null });
  s.connection = connection;
  connection.on('error', (e: Error) => s.log?.warn({ err: e.message }, 'job queue redis connection error'));
  return connection;
}

const bullQueue = (s: BullState): Queue => (s.queue ??= new Queue(s.queueName, { connection: conn(s), prefix: s.prefix }));
const canceledKey = (s: BullState, id: string) => `${s.prefix}:${s.queueName}:frontdesk-canceled:${encodeJobId(id)}`;
const findJob = async (s: BullState, id: string): Promise<Job<JobData> | undefined> => (await bullQueue(s).getJob(encodeJobId(id))) ?? undefined;
const totalConcurrency = (s: BullState) => [...s.handlers.values()].reduce((n, h) => n + h.concurrency, 0);

async function processJob(s: BullState, job: Job<JobData>): Promise<void> {
  const h = s.handlers.get(job.name);
  if (!h) throw new Error(`no handler registered for job ${job.name}`);
  await h.gate.run(() => h.fn({ id: job.data.id, name: job.name, payload: job.data.payload, attempt: job.attemptsMade + 1 }));
}

function register<P>(s: BullState, name: string, handler: JobHandler<P>, o?: { concurrency?: number }): void {
  const concurrency = Math.max(1, o?.concurrency ?? 1);
  s.handlers.set(name, { fn: handler as JobHandler<unknown>, concurrency, gate: new Semaphore(concurrency) });
  if (s.worker) s.worker.concurrency = totalConcurrency(s);
}

function addOptions<P>(s: BullState, spec: JobSpec<P>): JobsOptions {
  return {
    jobId: encodeJobId(spec.id),
    delay: Math.max(0, (spec.runAt ?? Date.now()) - Date.now()),
    attempts: Math.max(1, spec.attempts ?? DEFAULT_ATTEMPTS),
    backoff: { type: 'exponential', delay: s.backoffMs },
    // BullMQ takes jobs without a priority first: only the low ones get one
    ...(spec.priority === 'low' ? { priority: 10 } : {}),
    // a payload holding a secret goes with the job as soon as it is settled
    removeOnComplete: spec.forgetPayload ? true : { age: s.retentionS },
    removeOnFail: spec.forgetPayload ? true : { age: FAILED_RETENTION_S },
  };
}

async function enqueue<P>(s: BullState, spec: JobSpec<P>): Promise<boolean> {
  const existing = await findJob(s, spec.id);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'failed') return false;
    await existing.remove().catch(() => undefined);
  }
  const token = randomUUID();
  const data: JobData = { id: spec.id, payload: spec.payload, token };
  await bullQueue(s).add(spec.name, data, addOptions(s, spec));
  // BullMQ answers a duplicate add with the existing job's id and keeps the existing job
  const stored = await findJob(s, spec.id);
  const added = stored?.data.token === token;
  if (added) await conn(s).del(canceledKey(s, spec.id));
  return added;
}

async function cancel(s: BullState, id: string): Promise<boolean> {
  const job = await findJob(s, id);
  if (!job) return false;
  const state = await job.getState();
  if (STATE[state] !== 'pending') return false;
  try {
    await job.remove();
  } catch (e) {
    // taken by a worker between the state read and the removal
    s.log?.info({ jobId: id, err: e instanceof Error ? e.message : String(e) }, 'job could not be canceled');
    return false;
  }
  await conn(s).set(canceledKey(s, id), job.name, 'PX', CANCELED_TTL_MS);
  return true;
}

async function get(s: BullState, id: string): Promise<JobInfo | undefined> {
  const job = await findJob(s, id);
  if (!job) {
    const canceledName = await conn(s).get(canceledKey(s, id));
    return canceledName ? { id, name: canceledName, state: 'canceled', runAt: 0, attempts: 0 } : undefined;
  }
  const state = STATE[await job.getState()] ?? 'pending';
  return {
    id,
    name: job.name,
    state,
    runAt: job.timestamp + (job.delay ?? 0),
    attempts: job.attemptsMade,
    ...(job.failedReason ? { lastError: job.failedReason } : {}),
  };
}

function start(s: BullState): void {
  if (s.worker) return;
  const { log, prefix } = s;
  const concurrency = Math.max(1, totalConcurrency(s));
  const worker = new Worker<JobData>(s.queueName, (job) => processJob(s, job), { connection: conn(s), prefix, concurrency });
  s.worker = worker;
  worker.on('failed', (job, e) => {
    if (!job) return;
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
    log?.[exhausted ? 'error' : 'info']({ jobId: job.data.id, job: job.name, attempt: job.attemptsMade, err: e.message }, exhausted ? 'job failed; attempts exhausted' : 'job failed; will retry');
  });
  worker.on('error', (e) => log?.error({ err: e.message }, 'job worker error'));
}

async function stop(s: BullState): Promise<void> {
  await s.worker?.close();
  s.worker = undefined;
  await s.queue?.close();
  s.queue = undefined;
  const c = s.connection;
  s.connection = undefined;
  if (c) {
    // quit waits for a server that may be gone; disconnect does not
    if (c.status === 'ready') await c.quit().catch(() => undefined);
    c.disconnect();
  }
}

async function ping(s: BullState): Promise<boolean> {
  // commands wait for a reconnect forever (see conn): readiness must not
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), PING_TIMEOUT_MS)));
  try {
    return await Promise.race([conn(s).ping().then((p) => p === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function createBullQueue(opts: BullQueueOptions): JobQueue {
  const s = initialState(opts);
  return {
    kind: 'bullmq',
    register: (name, handler, o) => register(s, name, handler, o),
    enqueue: (spec) => enqueue(s, spec),
    cancel: (id) => cancel(s, id),
    get: (id) => get(s, id),
    start: async () => start(s),
    stop: () => stop(s),
    ping: () => ping(s),
  };
}
