import type { Indexes, KeyValue, StoreBackend } from './types.js';

export type StoredJobState = 'pending' | 'running' | 'done' | 'failed' | 'canceled';

/** A job as the embedded queue (src/jobs/embedded.ts) keeps it. */
export interface StoredJob {
  id: string;
  name: string;
  payload: unknown;
  runAt: number;
  maxAttempts: number;
  attemptsMade: number;
  state: StoredJobState;
  lastError?: string;
  /** set for each run; a run whose token was replaced lost its lease and must not write its result */
  runToken?: string;
  forgetPayload?: boolean;
  redacted?: boolean;
  createdAt: number;
  updatedAt: number;
}

const FINAL: readonly StoredJobState[] = ['done', 'failed', 'canceled'];
const MIN = -Number.MAX_SAFE_INTEGER;

export interface JobStoreOptions {
  /** key namespace (default `jobs`; the sweeper and the erasure walk `jobs:`) */
  namespace?: string;
  /** how long a finished, failed or canceled record is kept, which is how long its id dedupes (default 30 days) */
  retentionMs?: number;
}

export const DEFAULT_JOB_RETENTION_MS = 30 * 24 * 60 * 60_000;

/**
 * The embedded job queue's persistence (under `namespace`, default `jobs`):
 * - `<ns>:job:<id>`   the job record (state, payload, attempts, lastError); a final one kept `retentionMs` (TTL)
 * - `<ns>:due`        pending (and running) job ids scored by runAt
 * - `<ns>:lease:<id>` who is touching the job now (enqueue, cancel or a run), with a TTL
 * - `<ns>:alive:<who>` a worker instance said it is alive (short TTL)
 */
export class JobStore {
  private readonly ns: string;
  private readonly retentionMs: number;

  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    opts: JobStoreOptions = {},
  ) {
    this.ns = opts.namespace ?? 'jobs';
    this.retentionMs = opts.retentionMs ?? DEFAULT_JOB_RETENTION_MS;
  }

  private jobKey = (id: string) => `${this.ns}:job:${id}`;
  private leaseKey = (id: string) => `${this.ns}:lease:${id}`;
  private aliveKey = (who: string) => `${this.ns}:alive:${who}`;
  private get dueSet() {
    return `${this.ns}:due`;
  }

  /** the job's record, if it was ever enqueued (and its record not expired) */
  find(id: string): Promise<StoredJob | undefined> {
    return this.kv.get<StoredJob>(this.jobKey(id));
  }

  /** writes the record as it now is; a final one (done, failed, canceled) expires after the retention */
  save(rec: StoredJob): Promise<void> {
    return this.kv.set(this.jobKey(rec.id), rec, FINAL.includes(rec.state) ? this.retentionMs : undefined);
  }

  /** files the job as due at `runAt` (or moves it there) */
  async scheduleAt(id: string, runAt: number): Promise<void> {
    await this.indexes.add(this.dueSet, id, runAt);
  }

  /** the job is no longer due (done, failed, canceled, or a stale entry) */
  async unschedule(id: string): Promise<void> {
    await this.indexes.remove(this.dueSet, id);
  }

  /** ids due at or before `upTo`, earliest first, at most `limit` */
  async dueBy(upTo: number, limit: number): Promise<string[]> {
    return (await this.indexes.range(this.dueSet, MIN, upTo, limit)).map((r) => r.member);
  }

  /** takes the job's lease for `ttlMs`; false when someone holds it */
  claimLease(id: string, who: string, ttlMs: number): Promise<boolean> {
    return this.indexes.claim(this.leaseKey(id), who, ttlMs);
  }

  /** who holds the job's lease now, if anyone */
  leaseHolder(id: string): Promise<string | undefined> {
    return this.indexes.claimedBy(this.leaseKey(id));
  }

  /** gives the lease back (only when `who` holds it) */
  releaseLease(id: string, who: string): Promise<boolean> {
    return this.indexes.release(this.leaseKey(id), who);
  }

  /** this worker instance is alive, for `ttlMs` */
  async markAlive(who: string, at: number, ttlMs: number): Promise<void> {
    await this.kv.set(this.aliveKey(who), at, ttlMs);
  }

  /** whether that worker instance said it is alive within its TTL */
  async isAlive(who: string): Promise<boolean> {
    return (await this.kv.get(this.aliveKey(who))) !== undefined;
  }
}

/** the embedded queue's repository on a backend (src/jobs/embedded.ts receives it, or a backend to build it on) */
export const jobStore = (backend: StoreBackend, opts?: JobStoreOptions): JobStore => new JobStore(backend.kv, backend.indexes, opts);
