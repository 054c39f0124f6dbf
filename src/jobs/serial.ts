import type { Logger } from '../log.js';
import type { SerialHead, SerialLog, SerialStats } from '../store/types.js';

/**
 * The keyed serial queue: FIFO per key (a conversation, a recipient), one item of a key at a time on any
 * instance, under a lease renewed while the handler runs. A handler that throws is retried by the queue
 * (exponential backoff, the key waits so order holds); after `maxAttempts` the item goes to the dead
 * letters and the key moves on. A worker that dies leaves its lease to expire; whoever claims next
 * (this or another instance) runs the item again, so handlers must be idempotent (the engine's turn
 * record and the outbox's send records are).
 *
 * The atomic steps are the store's (`SerialLog`: SQLite / Postgres transactions, Redis Lua). Pushing
 * is one of them (de-duplicate + append), which is all a webhook's acknowledgement does.
 */
export interface SerialQueueOptions<P> {
  log: SerialLog;
  /** the queue's name in the log: `inbound`, `outbound`, `provider` … */
  name: string;
  handler: (payload: P, ctx: SerialRunContext) => Promise<void>;
  /** items run at once by this process (default 4) */
  concurrency?: number;
  /** how long a worker holds a key without renewing (default 30 s); renewed every third of it */
  leaseMs?: number;
  /** runs of one item before it is dead-lettered (default 5) */
  maxAttempts?: number;
  /** first retry delay, doubling, capped at `maxBackoffMs` (default 1 s, 5 min) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** how often an idle worker looks for work pushed by another instance or due after a backoff (default 200 ms) */
  pollMs?: number;
  /** how long an accepted id stays in the ledger: a repeat within it is a duplicate (default 7 days) */
  dedupeTtlMs?: number;
  logger?: Logger;
  /**
   * while this says so (webhooks waiting for their acknowledgement in this process), the worker waits
   * before taking more work, up to `maxPauseMs` at a time, so turns never starve entirely
   */
  pauseWhile?: () => boolean;
  maxPauseMs?: number;
  /** one call per run, for metrics */
  onRun?: (r: { outcome: 'done' | 'retry' | 'dead'; ms: number; waitedMs: number }) => void;
}

export interface SerialRunContext {
  id: string;
  key: string;
  /** 1-based */
  attempt: number;
  enqueuedAt: number;
}

export interface SerialPush<P> {
  id: string;
  key: string;
  payload: P;
  /** `high`: ahead of every waiting key; `low`: behind them (default normal) */
  priority?: 'high' | 'low';
}

export type SerialOutcome = { outcome: 'done' } | { outcome: 'retry' | 'dead'; error: string };

export interface SerialQueue<P> {
  readonly name: string;
  /** false when the id was accepted before (within the ledger's retention) */
  push(item: SerialPush<P>): Promise<boolean>;
  /** resolves the next time this process finishes a run of `id` (done, retry or dead) */
  settled(id: string): Promise<SerialOutcome>;
  start(): void;
  /** stops claiming and waits for the runs in progress */
  stop(): Promise<void>;
  /** claims and runs until nothing is ready now (tests, the dev chat's synchronous path); the number of runs */
  runReady(): Promise<number>;
  stats(): Promise<SerialStats>;
}

const LANE = { high: 0, normal: 1, low: 2 } as const;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

/** one serial queue's settings and what its worker holds now */
interface SerialState<P> {
  readonly opts: SerialQueueOptions<P>;
  readonly store: SerialLog;
  readonly name: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly pollMs: number;
  readonly dedupeTtlMs: number;
  readonly logger: Logger | undefined;
  /** the runs in progress in this process */
  readonly active: Set<Promise<void>>;
  /** `settled(id)` callers, by item id */
  readonly waiters: Map<string, ((o: SerialOutcome) => void)[]>;
  running: boolean;
  loopDone: Promise<void> | undefined;
  /** ends the idle loop's wait early (a push, a run finished, stop) */
  wake: (() => void) | undefined;
}

function initialState<P>(opts: SerialQueueOptions<P>): SerialState<P> {
  return {
    opts,
    store: opts.log,
    name: opts.name,
    concurrency: Math.max(1, opts.concurrency ?? 4),
    leaseMs: opts.leaseMs ?? 30_000,
    maxAttempts: Math.max(1, opts.maxAttempts ?? 5),
    backoffMs: opts.backoffMs ?? 1000,
    maxBackoffMs: opts.maxBackoffMs ?? 5 * 60_000,
    pollMs: opts.pollMs ?? 200,
    dedupeTtlMs: opts.dedupeTtlMs ?? 7 * 24 * 3_600_000,
    logger: opts.logger,
    active: new Set(),
    waiters: new Map(),
    running: false,
    loopDone: undefined,
    wake: undefined,
  };
}

function notify<P>(s: SerialState<P>, id: string, o: SerialOutcome): void {
  const list = s.waiters.get(id);
  if (!list) return;
  s.waiters.delete(id);
  for (const w of list) w(o);
}

function poke<P>(s: SerialState<P>): void {
  const w = s.wake;
  s.wake = undefined;
  w?.();
}

/** a failed run: retried after a backoff, or dead-lettered after `maxAttempts` */
async function retryOrBury<P>(s: SerialState<P>, head: SerialHead, attempt: number, e: unknown): Promise<SerialOutcome> {
  const { store, name, logger } = s;
  const error = errorText(e);
  if (attempt >= s.maxAttempts) {
    await store.bury(head, error, false);
    logger?.error({ queue: name, attempt, err: error }, 'queue item failed for good; dead-lettered');
    return { outcome: 'dead', error };
  }
  await store.retry(head, Math.min(s.maxBackoffMs, s.backoffMs * 2 ** (attempt - 1)), error);
  logger?.warn({ queue: name, attempt, err: error }, 'queue item failed; will retry');
  return { outcome: 'retry', error };
}

async function run<P>(s: SerialState<P>, head: SerialHead): Promise<void> {
  const { store, leaseMs } = s;
  const started = Date.now();
  const attempt = head.attempts + 1;
  const renewal = setInterval(() => void store.renew(head, leaseMs).catch(() => undefined), Math.max(50, Math.floor(leaseMs / 3)));
  renewal.unref();
  let outcome: SerialOutcome;
  try {
    await s.opts.handler(JSON.parse(head.payload) as P, { id: head.id, key: head.key, attempt, enqueuedAt: head.enqueuedAt });
    clearInterval(renewal);
    if (!(await store.complete(head))) s.logger?.warn({ queue: s.name, attempt }, 'lease lost before the item was completed; another worker runs it again');
    outcome = { outcome: 'done' };
  } catch (e) {
    clearInterval(renewal);
    outcome = await retryOrBury(s, head, attempt, e);
  }
  s.opts.onRun?.({ outcome: outcome.outcome, ms: Date.now() - started, waitedMs: started - head.enqueuedAt });
  notify(s, head.id, outcome);
}

function launch<P>(s: SerialState<P>, head: SerialHead): Promise<void> {
  const p: Promise<void> = run(s, head)
    .catch((e: unknown) => s.logger?.error({ queue: s.name, err: errorText(e) }, 'queue bookkeeping failed; the lease will expire and the item run again'))
    .finally(() => {
      s.active.delete(p);
      poke(s);
    });
  s.active.add(p);
  return p;
}

/**
 * The acknowledgements first: wait while the HTTP side is busy, a bounded while; true when it still is
 * (then only one item is taken, so a flood of webhooks slows the turns down instead of the answers).
 */
async function giveWay<P>(s: SerialState<P>): Promise<boolean> {
  const { opts } = s;
  if (!opts.pauseWhile) return false;
  const until = performance.now() + (opts.maxPauseMs ?? 50);
  while (s.running && opts.pauseWhile()) {
    if (performance.now() >= until) return true;
    await yieldToIo();
  }
  return false;
}

/** claims up to `free` items and launches them; the number claimed (0 when the claim failed) */
async function claimAndLaunch<P>(s: SerialState<P>, free: number): Promise<number> {
  try {
    const heads = await s.store.claim(s.name, free, s.leaseMs);
    for (const h of heads) void launch(s, h);
    return heads.length;
  } catch (e) {
    s.logger?.error({ queue: s.name, err: errorText(e) }, 'queue claim failed');
    return 0;
  }
}

/** waits `pollMs`, or until poked */
async function idle<P>(s: SerialState<P>): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, s.pollMs);
    timer.unref();
    s.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  s.wake = undefined;
}

async function loop<P>(s: SerialState<P>): Promise<void> {
  while (s.running) {
    const busy = await giveWay(s);
    const free = busy ? Math.min(1, s.concurrency - s.active.size) : s.concurrency - s.active.size;
    const claimed = free > 0 ? await claimAndLaunch(s, free) : 0;
    if (claimed > 0 && claimed === free) {
      await yieldToIo(); // let the HTTP side in between claims
      continue;
    }
    await idle(s);
  }
}

async function runReady<P>(s: SerialState<P>): Promise<number> {
  let n = 0;
  for (;;) {
    const heads = await s.store.claim(s.name, s.concurrency, s.leaseMs);
    if (heads.length === 0 && s.active.size === 0) return n;
    n += heads.length;
    await Promise.all([...heads.map((h) => launch(s, h)), ...s.active]);
  }
}

export function createSerialQueue<P>(opts: SerialQueueOptions<P>): SerialQueue<P> {
  const s = initialState(opts);
  const { store, name } = s;
  return {
    name,
    async push(item) {
      const fresh = await store.push(name, { id: item.id, key: item.key, payload: JSON.stringify(item.payload), lane: LANE[item.priority ?? 'normal'] }, s.dedupeTtlMs);
      if (fresh) poke(s);
      return fresh;
    },
    settled(id) {
      return new Promise((resolve) => {
        const list = s.waiters.get(id) ?? [];
        list.push(resolve);
        s.waiters.set(id, list);
      });
    },
    start() {
      if (s.running) return;
      s.running = true;
      s.loopDone = loop(s);
    },
    async stop() {
      s.running = false;
      poke(s);
      await s.loopDone;
      await Promise.allSettled([...s.active]);
    },
    runReady: () => runReady(s),
    stats: () => store.stats(name),
  };
}
