import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { JobStore, StoredJob } from '../store/jobs.js';
import type { JobContext, JobHandler } from './types.js';

/**
 * The embedded queue's worker side (src/jobs/embedded.ts): the poll loop, claiming due jobs under
 * their leases, running one attempt and recording its result.
 */

/** the record the store keeps (its states are the queue's `JobState`s) */
export type JobRecord = StoredJob;

export interface Registered {
  fn: JobHandler<unknown>;
  concurrency: number;
  active: number;
}

/** one embedded queue's settings and what its worker holds now */
export interface EmbeddedState {
  /** a final record (done, failed, canceled) is kept the retention, which is how long its id dedupes */
  readonly jobs: JobStore;
  readonly log: Logger | undefined;
  readonly pollMs: number;
  readonly now: () => number;
  readonly owner: string;
  readonly leaseMs: number;
  readonly backoffMs: number;
  readonly handlers: Map<string, Registered>;
  /** ids this instance is running now: a lease that expires under a slow run does not start it twice here */
  readonly runningHere: Set<string>;
  readonly inflight: Set<Promise<boolean>>;
  lastBeat: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  loopTick: Promise<void> | undefined;
  polling: boolean;
}

const MAX_BACKOFF_MS = 60 * 60_000;
export const ENQUEUE_LEASE_MS = 30_000;
const DUE_BATCH = 500;
/** how often an instance says it is alive, and how long that word lasts */
const HEARTBEAT_EVERY_MS = 2_000;
const HEARTBEAT_TTL_MS = 10_000;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** a record a worker may still run (the others are final, or gone) */
const isLive = (rec: JobRecord | undefined): rec is JobRecord => !!rec && (rec.state === 'pending' || rec.state === 'running');

const backoff = (q: EmbeddedState, attempt: number) => Math.min(MAX_BACKOFF_MS, q.backoffMs * 2 ** (attempt - 1));

/**
 * This instance says it is alive at every poll. A lease whose holder stopped saying so (a killed
 * process) is released at once instead of after `leaseMs`, so a restart resumes the work in seconds.
 */
async function heartbeat(q: EmbeddedState): Promise<void> {
  if (Date.now() - q.lastBeat < HEARTBEAT_EVERY_MS) return;
  q.lastBeat = Date.now();
  await q.jobs.markAlive(q.owner, q.lastBeat, HEARTBEAT_TTL_MS);
}

/** claims the lease; takes it over when its holder (`owner` or `owner#purpose`) is no longer alive */
async function claimOrTakeOver(q: EmbeddedState, id: string): Promise<boolean> {
  const { jobs, owner, leaseMs } = q;
  if (await jobs.claimLease(id, owner, leaseMs)) return true;
  const holder = await jobs.leaseHolder(id);
  if (!holder) return jobs.claimLease(id, owner, leaseMs);
  const holderOwner = holder.split('#')[0]!;
  if (holderOwner === owner || (await jobs.isAlive(holderOwner))) return false;
  q.log?.warn({ jobId: id }, 'taking over a job whose worker is gone');
  await jobs.releaseLease(id, holder);
  return jobs.claimLease(id, owner, leaseMs);
}

/** runs `fn` while holding the job's lease; undefined when someone else holds it */
export async function underLease<T>(jobs: JobStore, id: string, who: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
  if (!(await jobs.claimLease(id, who, ttlMs))) return undefined;
  try {
    return await fn();
  } finally {
    await jobs.releaseLease(id, who).catch(() => false);
  }
}

/** the record as kept once the job is settled: without its payload when it asked to forget it */
const forgotten = (rec: JobRecord): JobRecord => (rec.forgetPayload ? { ...rec, payload: null, redacted: true } : rec);

/** the claimed job's record when an attempt is due now; tidies the index and the record when it is not */
async function recordToRun(q: EmbeddedState, id: string): Promise<JobRecord | undefined> {
  const rec = await q.jobs.find(id);
  if (!isLive(rec)) {
    await q.jobs.unschedule(id);
    return undefined;
  }
  if (rec.runAt > q.now()) return undefined;
  if (rec.state === 'running' && rec.attemptsMade >= rec.maxAttempts) {
    // the last attempt's worker died: nothing is left to try
    await q.jobs.save({ ...forgotten(rec), state: 'failed', lastError: rec.lastError ?? 'worker lost during the last attempt', runToken: undefined, updatedAt: q.now() });
    await q.jobs.unschedule(id);
    q.log?.warn({ jobId: id, job: rec.name }, 'job failed: worker lost during its last attempt');
    return undefined;
  }
  if (rec.state === 'running') q.log?.warn({ jobId: id, job: rec.name, attempt: rec.attemptsMade }, 'job abandoned by a lost worker; running it again');
  return rec;
}

/** runs the handler; what it threw, if it did */
async function runHandler(h: Registered, job: JobContext): Promise<{ error: unknown } | undefined> {
  try {
    await h.fn(job);
    return undefined;
  } catch (error) {
    return { error };
  }
}

/** writes the attempt's result, unless the run lost its lease (its token was replaced) meanwhile */
async function recordResult(q: EmbeddedState, id: string, rec: JobRecord, token: string, attemptNo: number, failure: { error: unknown } | undefined): Promise<void> {
  const { jobs, log } = q;
  const current = await jobs.find(id);
  if (current?.runToken !== token) {
    log?.warn({ jobId: id, job: rec.name }, 'job lease was lost during the run; its result is discarded');
    return;
  }
  const base = { ...current, runToken: undefined, updatedAt: q.now() };
  if (!failure) {
    await jobs.save({ ...forgotten(base), state: 'done' });
    await jobs.unschedule(id);
  } else if (attemptNo < rec.maxAttempts) {
    const runAt = q.now() + backoff(q, attemptNo);
    await jobs.save({ ...base, state: 'pending', runAt, lastError: errorText(failure.error) });
    await jobs.scheduleAt(id, runAt);
    log?.info({ jobId: id, job: rec.name, attempt: attemptNo, err: errorText(failure.error) }, 'job failed; will retry');
  } else {
    await jobs.save({ ...forgotten(base), state: 'failed', lastError: errorText(failure.error) });
    await jobs.unschedule(id);
    log?.error({ jobId: id, job: rec.name, attempt: attemptNo, err: errorText(failure.error) }, 'job failed; attempts exhausted');
  }
}

/** the lease is held by us; runs one attempt and records its result */
async function runClaimed(q: EmbeddedState, id: string, h: Registered): Promise<boolean> {
  try {
    const rec = await recordToRun(q, id);
    if (!rec) return false;
    const token = randomUUID();
    const attemptNo = rec.attemptsMade + 1;
    await q.jobs.save({ ...rec, state: 'running', attemptsMade: attemptNo, runToken: token, updatedAt: q.now() });
    const failure = await runHandler(h, { id, name: rec.name, payload: rec.payload, attempt: attemptNo });
    await recordResult(q, id, rec, token, attemptNo, failure);
    return true;
  } finally {
    await q.jobs.releaseLease(id, q.owner).catch(() => false);
  }
}

/** a stale index entry (or an enqueue half-written by a crash): tidied under the lease */
async function tidyStale(q: EmbeddedState, id: string): Promise<void> {
  await underLease(q.jobs, id, q.owner, ENQUEUE_LEASE_MS, async () => {
    if (!isLive(await q.jobs.find(id))) await q.jobs.unschedule(id);
  });
}

/** the run of a claimed job, counted against its handler's concurrency until it ends */
function track(q: EmbeddedState, id: string, name: string, h: Registered): Promise<boolean> {
  const run: Promise<boolean> = runClaimed(q, id, h)
    .catch((e: unknown) => {
      q.log?.error({ jobId: id, job: name, err: errorText(e) }, 'job bookkeeping failed');
      return false;
    })
    .finally(() => {
      h.active--;
      q.runningHere.delete(id);
      q.inflight.delete(run);
    });
  q.inflight.add(run);
  return run;
}

/**
 * Starts one due job when its handler has room and its lease is ours. The run comes back wrapped:
 * an async function returning the promise itself would wait for the run.
 */
async function startDue(q: EmbeddedState, id: string): Promise<{ run: Promise<boolean> } | undefined> {
  const rec = await q.jobs.find(id);
  if (!isLive(rec)) {
    await tidyStale(q, id);
    return undefined;
  }
  const h = q.handlers.get(rec.name);
  if (!h || h.active >= h.concurrency) return undefined;
  h.active++;
  q.runningHere.add(id);
  let claimed = false;
  try {
    claimed = await claimOrTakeOver(q, id);
  } finally {
    if (!claimed) {
      h.active--;
      q.runningHere.delete(id);
    }
  }
  return claimed ? { run: track(q, id, rec.name, h) } : undefined;
}

/** claims what is due and starts it; returns the runs started (not awaited) */
export async function dispatch(q: EmbeddedState): Promise<Promise<boolean>[]> {
  const started: Promise<boolean>[] = [];
  await heartbeat(q);
  const due = await q.jobs.dueBy(q.now(), DUE_BATCH);
  for (const id of due) {
    if (q.runningHere.has(id)) continue;
    const one = await startDue(q, id);
    if (one) started.push(one.run);
  }
  return started;
}

export function schedulePoll(q: EmbeddedState): void {
  if (!q.polling) return;
  q.timer = setTimeout(() => {
    q.loopTick = dispatch(q)
      .then(() => undefined)
      .catch((e: unknown) => q.log?.error({ err: errorText(e) }, 'job poll failed'))
      .finally(() => {
        q.loopTick = undefined;
        schedulePoll(q);
      });
  }, q.pollMs);
}
