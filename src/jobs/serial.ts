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

export function createSerialQueue<P>(opts: SerialQueueOptions<P>): SerialQueue<P> {
  const { log: store, name } = opts;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const leaseMs = opts.leaseMs ?? 30_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const backoffMs = opts.backoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  const pollMs = opts.pollMs ?? 200;
  const dedupeTtlMs = opts.dedupeTtlMs ?? 7 * 24 * 3_600_000;
  const logger = opts.logger;

  const active = new Set<Promise<void>>();
  const waiters = new Map<string, ((o: SerialOutcome) => void)[]>();
  let running = false;
  let loopDone: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const notify = (id: string, o: SerialOutcome) => {
    const list = waiters.get(id);
    if (!list) return;
    waiters.delete(id);
    for (const w of list) w(o);
  };
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  async function run(head: SerialHead): Promise<void> {
    const started = Date.now();
    const attempt = head.attempts + 1;
    const renewal = setInterval(() => void store.renew(head, leaseMs).catch(() => undefined), Math.max(50, Math.floor(leaseMs / 3)));
    renewal.unref();
    let outcome: SerialOutcome;
    try {
      await opts.handler(JSON.parse(head.payload) as P, { id: head.id, key: head.key, attempt, enqueuedAt: head.enqueuedAt });
      clearInterval(renewal);
      if (!(await store.complete(head))) logger?.warn({ queue: name, attempt }, 'lease lost before the item was completed; another worker runs it again');
      outcome = { outcome: 'done' };
    } catch (e) {
      clearInterval(renewal);
      const error = errorText(e);
      if (attempt >= maxAttempts) {
        await store.bury(head, error, false);
        logger?.error({ queue: name, attempt, err: error }, 'queue item failed for good; dead-lettered');
        outcome = { outcome: 'dead', error };
      } else {
        await store.retry(head, Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1)), error);
        logger?.warn({ queue: name, attempt, err: error }, 'queue item failed; will retry');
        outcome = { outcome: 'retry', error };
      }
    }
    opts.onRun?.({ outcome: outcome.outcome, ms: Date.now() - started, waitedMs: started - head.enqueuedAt });
    notify(head.id, outcome);
  }

  function launch(head: SerialHead): Promise<void> {
    const p: Promise<void> = run(head)
      .catch((e: unknown) => logger?.error({ queue: name, err: errorText(e) }, 'queue bookkeeping failed; the lease will expire and the item run again'))
      .finally(() => {
        active.delete(p);
        poke();
      });
    active.add(p);
    return p;
  }

  /**
   * The acknowledgements first: wait while the HTTP side is busy, a bounded while; true when it still is
   * (then only one item is taken, so a flood of webhooks slows the turns down instead of the answers).
   */
  async function giveWay(): Promise<boolean> {
    if (!opts.pauseWhile) return false;
    const until = performance.now() + (opts.maxPauseMs ?? 50);
    while (running && opts.pauseWhile()) {
      if (performance.now() >= until) return true;
      await yieldToIo();
    }
    return false;
  }

  async function loop(): Promise<void> {
    while (running) {
      const busy = await giveWay();
      const free = busy ? Math.min(1, concurrency - active.size) : concurrency - active.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const heads = await store.claim(name, free, leaseMs);
          claimed = heads.length;
          for (const h of heads) void launch(h);
        } catch (e) {
          logger?.error({ queue: name, err: errorText(e) }, 'queue claim failed');
        }
      }
      if (claimed > 0 && claimed === free) {
        await yieldToIo(); // let the HTTP side in between claims
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    name,
    async push(item) {
      const fresh = await store.push(name, { id: item.id, key: item.key, payload: JSON.stringify(item.payload), lane: LANE[item.priority ?? 'normal'] }, dedupeTtlMs);
      if (fresh) poke();
      return fresh;
    },
    settled(id) {
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
    },
    async stop() {
      running = false;
      poke();
      await loopDone;
      await Promise.allSettled([...active]);
    },
    async runReady() {
      let n = 0;
      for (;;) {
        const heads = await store.claim(name, concurrency, leaseMs);
        if (heads.length === 0 && active.size === 0) return n;
        n += heads.length;
        await Promise.all([...heads.map(launch), ...active]);
      }
    },
    stats: () => store.stats(name),
  };
}
