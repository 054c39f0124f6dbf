import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import type { StoreBackend } from '../store/types.js';
import type { JobHandler, JobInfo, JobQueue, JobSpec, JobState } from './types.js';

/**
 * The in-process scheduler whose jobs live in the store, so they survive a restart.
 *
 * Layout (under `namespace`, default `jobs`):
 * - `kv`      `<ns>:job:<id>`   the job record (state, payload, attempts, lastError)
 * - `indexes` `<ns>:due`        sorted set of pending (and running) job ids scored by runAt
 * - `claim`   `<ns>:lease:<id>` who is touching the job now (enqueue, cancel or a run), with a TTL
 *
 * A worker runs a job only while it holds its lease, and re-reads the record after claiming it,
 * so two workers on one store never run the same attempt. A worker that dies mid-run leaves the
 * record `running` and its lease expires after `leaseMs`; the next worker that sees the job due
 * claims the lease and runs it again as a new attempt (at-least-once after a crash; handlers
 * that must not repeat a side effect check their own records, as the outbox does).
 * `leaseMs` must exceed the longest run of any handler: leases are not renewed.
 */
export interface EmbeddedQueueOptions {
  backend: StoreBackend;
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

interface JobRecord {
  id: string;
  name: string;
  payload: unknown;
  runAt: number;
  maxAttempts: number;
  attemptsMade: number;
  state: JobState;
  lastError?: string;
  /** set for each run; a run whose token was replaced lost its lease and must not write its result */
  runToken?: string;
  forgetPayload?: boolean;
  redacted?: boolean;
  createdAt: number;
  updatedAt: number;
}

interface Registered {
  fn: JobHandler<unknown>;
  concurrency: number;
  active: number;
}

/** how far ahead of the backlog a high-priority job is filed */
const HIGH_PRIORITY_LEAD_MS = 24 * 3_600_000;
const DEFAULT_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 60 * 60_000;
const ENQUEUE_LEASE_MS = 30_000;
const DUE_BATCH = 500;
/** how often an instance says it is alive, and how long that word lasts */
const HEARTBEAT_EVERY_MS = 2_000;
const HEARTBEAT_TTL_MS = 10_000;
/** states that make a new enqueue of the same id a no-op */
const OCCUPIED: readonly JobState[] = ['pending', 'running', 'done'];

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): EmbeddedQueue {
  const { kv, indexes } = opts.backend;
  const ns = opts.namespace ?? 'jobs';
  const log = opts.logger;
  const pollMs = opts.pollMs ?? 250;
  const now = opts.now ?? Date.now;
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const backoffMs = opts.backoffMs ?? 1000;
  const retentionMs = opts.retentionMs ?? 30 * 24 * 60 * 60_000;

  const jobKey = (id: string) => `${ns}:job:${id}`;
  const leaseKey = (id: string) => `${ns}:lease:${id}`;
  const aliveKey = (who: string) => `${ns}:alive:${who}`;
  let lastBeat = 0;

  /**
   * This instance says it is alive at every poll. A lease whose holder stopped saying so (a killed
   * process) is released at once instead of after `leaseMs`, so a restart resumes the work in seconds.
   */
  async function heartbeat(): Promise<void> {
    if (Date.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
    lastBeat = Date.now();
    await kv.set(aliveKey(owner), lastBeat, HEARTBEAT_TTL_MS);
  }

  /** claims the lease; takes it over when its holder (`owner` or `owner#purpose`) is no longer alive */
  async function claimOrTakeOver(id: string): Promise<boolean> {
    if (await indexes.claim(leaseKey(id), owner, leaseMs)) return true;
    const holder = await indexes.claimedBy(leaseKey(id));
    if (!holder) return indexes.claim(leaseKey(id), owner, leaseMs);
    const holderOwner = holder.split('#')[0]!;
    if (holderOwner === owner || (await kv.get(aliveKey(holderOwner))) !== undefined) return false;
    log?.warn({ jobId: id }, 'taking over a job whose worker is gone');
    await indexes.release(leaseKey(id), holder);
    return indexes.claim(leaseKey(id), owner, leaseMs);
  }
  const dueSet = `${ns}:due`;

  const handlers = new Map<string, Registered>();
  /** ids this instance is running now: a lease that expires under a slow run does not start it twice here */
  const runningHere = new Set<string>();
  const inflight = new Set<Promise<boolean>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loopTick: Promise<void> | undefined;
  let polling = false;

  const save = (rec: JobRecord) => {
    const final = rec.state === 'done' || rec.state === 'failed' || rec.state === 'canceled';
    return kv.set(jobKey(rec.id), rec, final ? retentionMs : undefined);
  };

  const backoff = (attempt: number) => Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (attempt - 1));

  /** runs `fn` while holding the job's lease; undefined when someone else holds it */
  async function underLease<T>(id: string, who: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    if (!(await indexes.claim(leaseKey(id), who, ttlMs))) return undefined;
    try {
      return await fn();
    } finally {
      await indexes.release(leaseKey(id), who).catch(() => false);
    }
  }

  /** the lease is held by us; runs one attempt and records its result */
  async function runClaimed(id: string, h: Registered): Promise<boolean> {
    try {
      const rec = await kv.get<JobRecord>(jobKey(id));
      if (!rec) {
        await indexes.remove(dueSet, id);
        return false;
      }
      if (rec.state !== 'pending' && rec.state !== 'running') {
        await indexes.remove(dueSet, id);
        return false;
      }
      if (rec.runAt > now()) return false;
      if (rec.state === 'running' && rec.attemptsMade >= rec.maxAttempts) {
        // the last attempt's worker died: nothing is left to try
        await save({ ...rec, ...(rec.forgetPayload ? { payload: null, redacted: true } : {}), state: 'failed', lastError: rec.lastError ?? 'worker lost during the last attempt', runToken: undefined, updatedAt: now() });
        await indexes.remove(dueSet, id);
        log?.warn({ jobId: id, job: rec.name }, 'job failed: worker lost during its last attempt');
        return false;
      }
      if (rec.state === 'running') log?.warn({ jobId: id, job: rec.name, attempt: rec.attemptsMade }, 'job abandoned by a lost worker; running it again');

      const token = randomUUID();
      const attempt = rec.attemptsMade + 1;
      await save({ ...rec, state: 'running', attemptsMade: attempt, runToken: token, updatedAt: now() });

      let failure: unknown;
      let failed = false;
      try {
        await h.fn({ id, name: rec.name, payload: rec.payload, attempt });
      } catch (e) {
        failed = true;
        failure = e;
      }

      const current = await kv.get<JobRecord>(jobKey(id));
      if (current?.runToken !== token) {
        log?.warn({ jobId: id, job: rec.name }, 'job lease was lost during the run; its result is discarded');
        return true;
      }
      const base = { ...current, runToken: undefined, updatedAt: now() };
      const final = current.forgetPayload ? { ...base, payload: null, redacted: true } : base;
      if (!failed) {
        await save({ ...final, state: 'done' });
        await indexes.remove(dueSet, id);
      } else if (attempt < rec.maxAttempts) {
        const runAt = now() + backoff(attempt);
        await save({ ...base, state: 'pending', runAt, lastError: errorText(failure) });
        await indexes.add(dueSet, id, runAt);
        log?.info({ jobId: id, job: rec.name, attempt, err: errorText(failure) }, 'job failed; will retry');
      } else {
        await save({ ...final, state: 'failed', lastError: errorText(failure) });
        await indexes.remove(dueSet, id);
        log?.error({ jobId: id, job: rec.name, attempt, err: errorText(failure) }, 'job failed; attempts exhausted');
      }
      return true;
    } finally {
      await indexes.release(leaseKey(id), owner).catch(() => false);
    }
  }

  /** claims what is due and starts it; returns the runs started (not awaited) */
  async function dispatch(): Promise<Promise<boolean>[]> {
    const started: Promise<boolean>[] = [];
    await heartbeat();
    const due = await indexes.range(dueSet, -Number.MAX_SAFE_INTEGER, now(), DUE_BATCH);
    for (const { member: id } of due) {
      if (runningHere.has(id)) continue;
      const rec = await kv.get<JobRecord>(jobKey(id));
      if (!rec || (rec.state !== 'pending' && rec.state !== 'running')) {
        // stale index entry (or an enqueue half-written by a crash): tidy it under the lease
        await underLease(id, owner, ENQUEUE_LEASE_MS, async () => {
          const again = await kv.get<JobRecord>(jobKey(id));
          if (!again || (again.state !== 'pending' && again.state !== 'running')) await indexes.remove(dueSet, id);
        });
        continue;
      }
      const h = handlers.get(rec.name);
      if (!h || h.active >= h.concurrency) continue;
      h.active++;
      runningHere.add(id);
      let claimed = false;
      try {
        claimed = await claimOrTakeOver(id);
      } finally {
        if (!claimed) {
          h.active--;
          runningHere.delete(id);
        }
      }
      if (!claimed) continue;
      const run = runClaimed(id, h)
        .catch((e: unknown) => {
          log?.error({ jobId: id, job: rec.name, err: errorText(e) }, 'job bookkeeping failed');
          return false;
        })
        .finally(() => {
          h.active--;
          runningHere.delete(id);
          inflight.delete(run);
        });
      inflight.add(run);
      started.push(run);
    }
    return started;
  }

  function schedulePoll() {
    if (!polling) return;
    timer = setTimeout(() => {
      loopTick = dispatch()
        .then(() => undefined)
        .catch((e: unknown) => log?.error({ err: errorText(e) }, 'job poll failed'))
        .finally(() => {
          loopTick = undefined;
          schedulePoll();
        });
    }, pollMs);
  }

  return {
    kind: 'embedded',

    register<P>(name: string, handler: JobHandler<P>, o?: { concurrency?: number }) {
      handlers.set(name, { fn: handler as JobHandler<unknown>, concurrency: Math.max(1, o?.concurrency ?? 1), active: 0 });
    },

    async enqueue<P>(spec: JobSpec<P>) {
      const existing = await kv.get<JobRecord>(jobKey(spec.id));
      if (existing && OCCUPIED.includes(existing.state)) return false;
      const done = await underLease(spec.id, `${owner}#enqueue`, ENQUEUE_LEASE_MS, async () => {
        const again = await kv.get<JobRecord>(jobKey(spec.id));
        if (again && OCCUPIED.includes(again.state)) return false;
        const t = now();
        const runAt = spec.runAt ?? t;
        // index first: a crash between the two writes leaves a stale index entry (tidied), never a lost job;
        // a high-priority job due now is filed as due a day ago, so it is taken before the backlog
        await indexes.add(dueSet, spec.id, spec.priority === 'high' && spec.runAt === undefined ? t - HIGH_PRIORITY_LEAD_MS : runAt);
        await save({
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
        });
        return true;
      });
      return done ?? false;
    },

    async cancel(id: string) {
      const done = await underLease(id, `${owner}#cancel`, ENQUEUE_LEASE_MS, async () => {
        const rec = await kv.get<JobRecord>(jobKey(id));
        if (rec?.state !== 'pending') return false;
        await save({ ...rec, state: 'canceled', updatedAt: now() });
        await indexes.remove(dueSet, id);
        return true;
      });
      return done ?? false;
    },

    async get(id: string): Promise<JobInfo | undefined> {
      const rec = await kv.get<JobRecord>(jobKey(id));
      if (!rec) return undefined;
      return { id: rec.id, name: rec.name, state: rec.state, runAt: rec.runAt, attempts: rec.attemptsMade, ...(rec.lastError ? { lastError: rec.lastError } : {}) };
    },

    async start() {
      if (polling) return;
      polling = true;
      schedulePoll();
    },

    async stop() {
      polling = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await loopTick;
      await Promise.allSettled([...inflight]);
    },

    ping: () => opts.backend.ping(),

    async runDue() {
      const started = await dispatch();
      const ran = await Promise.all(started);
      return ran.filter(Boolean).length;
    },
  };
}
