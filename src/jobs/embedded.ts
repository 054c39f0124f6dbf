import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { jobStore, type JobStore } from '../store/jobs.js';
import type { StoreBackend } from '../store/types.js';
import { dispatch, ENQUEUE_LEASE_MS, schedulePoll, underLease, type EmbeddedState, type JobRecord } from './embedded-worker.js';
import type { JobHandler, JobInfo, JobQueue, JobSpec, JobState } from './types.js';

/**
 * The in-process scheduler whose jobs live in the store, so they survive a restart.
 *
 * Its records, due index, leases and heartbeats are the store's `JobStore` (src/store/jobs.ts: under
 * `namespace`, default `jobs`): given as `jobs`, or built on `backend`.
 *
 * A worker runs a job only while it holds its lease, and re-reads the record after claiming it,
 * so two workers on one store never run the same attempt. A worker that dies mid-run leaves the
 * record `running` and its lease expires after `leaseMs`; the next worker that sees the job due
 * claims the lease and runs it again as a new attempt (at-least-once after a crash; handlers
 * that must not repeat a side effect check their own records, as the outbox does).
 * `leaseMs` must exceed the longest run of any handler: leases are not renewed.
 */
export interface EmbeddedQueueOptions {
  /** the store's backend: its ping is the queue's, and the job repository is built on it unless `jobs` is given */
  backend: StoreBackend;
  /** the job repository (then `namespace` and `retentionMs` are its own) */
  jobs?: JobStore;
  namespace?: string;
  logger?: Logger;
  /** how often the poll loop looks for due jobs (default 250 ms) */
  pollMs?: number;
  /** the clock deciding what is due (tests move it by hand); leases use the store's own clock */
  now?: () => number;
  /** this instance's id, as written in leases */
  owner?: string;
  /** how long a run may hold a job before another worker considers it abandoned (default 5 min) */
  leaseMs?: number;
  /** first retry delay; doubles each attempt, capped at one hour (default 1 s) */
  backoffMs?: number;
  /** how long finished, failed and canceled records are kept, which is how long their ids dedupe (default 30 days) */
  retentionMs?: number;
}

export interface EmbeddedQueue extends JobQueue {
  readonly kind: 'embedded';
  /** claims and runs every job due now (per the `now` clock) and waits for them; the number run */
  runDue(): Promise<number>;
}

/** how far ahead of the backlog a high-priority job is filed */
const HIGH_PRIORITY_LEAD_MS = 24 * 3_600_000;
const DEFAULT_ATTEMPTS = 5;
/** states that make a new enqueue of the same id a no-op */
const OCCUPIED: readonly JobState[] = ['pending', 'running', 'done'];

function newRecord<P>(spec: JobSpec<P>, runAt: number, t: number): JobRecord {
  return {
    id: spec.id,
    name: spec.name,
    payload: spec.payload,
    runAt,
    maxAttempts: Math.max(1, spec.attempts ?? DEFAULT_ATTEMPTS),
    attemptsMade: 0,
    state: 'pending',
    ...(spec.forgetPayload ? { forgetPayload: true } : {}),
    createdAt: t,
    updatedAt: t,
  };
}

async function enqueueJob<P>(q: EmbeddedState, spec: JobSpec<P>): Promise<boolean> {
  const existing = await q.jobs.find(spec.id);
  if (existing && OCCUPIED.includes(existing.state)) return false;
  const done = await underLease(q.jobs, spec.id, `${q.owner}#enqueue`, ENQUEUE_LEASE_MS, async () => {
    const again = await q.jobs.find(spec.id);
    if (again && OCCUPIED.includes(again.state)) return false;
    const t = q.now();
    const runAt = spec.runAt ?? t;
    // index first: a crash between the two writes leaves a stale index entry (tidied), never a lost job;
    // a high-priority job due now is filed as due a day ago, so it is taken before the backlog
    await q.jobs.scheduleAt(spec.id, spec.priority === 'high' && spec.runAt === undefined ? t - HIGH_PRIORITY_LEAD_MS : runAt);
    await q.jobs.save(newRecord(spec, runAt, t));
    return true;
  });
  return done ?? false;
}

async function cancelJob(q: EmbeddedState, id: string): Promise<boolean> {
  const done = await underLease(q.jobs, id, `${q.owner}#cancel`, ENQUEUE_LEASE_MS, async () => {
    const rec = await q.jobs.find(id);
    if (rec?.state !== 'pending') return false;
    await q.jobs.save({ ...rec, state: 'canceled', updatedAt: q.now() });
    await q.jobs.unschedule(id);
    return true;
  });
  return done ?? false;
}

async function jobInfo(q: EmbeddedState, id: string): Promise<JobInfo | undefined> {
  const rec = await q.jobs.find(id);
  if (!rec) return undefined;
  return { id: rec.id, name: rec.name, state: rec.state, runAt: rec.runAt, attempts: rec.attemptsMade, ...(rec.lastError ? { lastError: rec.lastError } : {}) };
}

function initialState(opts: EmbeddedQueueOptions): EmbeddedState {
  const ns = opts.namespace ?? 'jobs';
  return {
    jobs: opts.jobs ?? jobStore(opts.backend, { namespace: ns, ...(opts.retentionMs !== undefined ? { retentionMs: opts.retentionMs } : {}) }),
    log: opts.logger,
    pollMs: opts.pollMs ?? 250,
    now: opts.now ?? Date.now,
    owner: opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: opts.leaseMs ?? 5 * 60_000,
    backoffMs: opts.backoffMs ?? 1000,
    handlers: new Map(),
    runningHere: new Set(),
    inflight: new Set(),
    lastBeat: 0,
    timer: undefined,
    loopTick: undefined,
    polling: false,
  };
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): EmbeddedQueue {
  const q = initialState(opts);
  return {
    kind: 'embedded',

    register<P>(name: string, handler: JobHandler<P>, o?: { concurrency?: number }) {
      q.handlers.set(name, { fn: handler as JobHandler<unknown>, concurrency: Math.max(1, o?.concurrency ?? 1), active: 0 });
    },

    enqueue: <P>(spec: JobSpec<P>) => enqueueJob(q, spec),

    cancel: (id: string) => cancelJob(q, id),

    get: (id: string) => jobInfo(q, id),

    async start() {
      if (q.polling) return;
      q.polling = true;
      schedulePoll(q);
    },

    async stop() {
      q.polling = false;
      if (q.timer) clearTimeout(q.timer);
      q.timer = undefined;
      await q.loopTick;
      await Promise.allSettled([...q.inflight]);
    },

    ping: () => opts.backend.ping(),

    async runDue() {
      const started = await dispatch(q);
      const ran = await Promise.all(started);
      return ran.filter(Boolean).length;
    },
  };
}
