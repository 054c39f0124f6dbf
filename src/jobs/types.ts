/** One queue interface: embedded (persisted in the store) by default, BullMQ when `redis` is configured. */
export interface JobSpec<P = unknown> {
  /** stable id: scheduling the same id again while it is pending is a no-op */
  id: string;
  name: string;
  payload: P;
  /** when it may run (ms since epoch); now when omitted */
  runAt?: number;
  /** attempts before the job is recorded as failed (default 5) */
  attempts?: number;
  /**
   * `high`: ahead of every job already due (a code the patient is waiting for);
   * `low`: behind the others (a broadcast's sends). Default: first in, first out.
   */
  priority?: 'high' | 'low';
  /** the payload is dropped as soon as the job is done or failed for good (it holds a secret, e.g. a one-time code) */
  forgetPayload?: boolean;
}

export interface JobContext<P = unknown> {
  id: string;
  name: string;
  payload: P;
  attempt: number; // 1-based
}

export type JobHandler<P = unknown> = (job: JobContext<P>) => Promise<void>;

export type JobState = 'pending' | 'running' | 'done' | 'failed' | 'canceled';

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  runAt: number;
  attempts: number;
  lastError?: string;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'bullmq';
  register<P>(name: string, handler: JobHandler<P>, opts?: { concurrency?: number }): void;
  /** true when scheduled now; false when a job with that id is already pending or ran */
  enqueue<P>(spec: JobSpec<P>): Promise<boolean>;
  cancel(id: string): Promise<boolean>;
  get(id: string): Promise<JobInfo | undefined>;
  start(): Promise<void>;
  /** stops taking new work and waits for running jobs */
  stop(): Promise<void>;
  ping(): Promise<boolean>;
}
