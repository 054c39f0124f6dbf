import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { StoreError } from './errors.js';
import { EXTEND_IF_OWNER, RELEASE_IF_OWNER, closeRedis, connectRedis } from './backends/redis-client.js';
import type { Locks } from './types.js';

export const DEFAULT_LOCK_TTL_MS = 15_000;
export const DEFAULT_LOCK_WAIT_MS = 30_000;

export interface ClosableLocks extends Locks {
  close(): Promise<void>;
}

/**
 * Keys this async context already holds. A nested `withLock` on a key already held runs straight
 * through instead of waiting on itself; nested locks on other keys are taken normally.
 */
class HeldKeys {
  private readonly als = new AsyncLocalStorage<ReadonlySet<string>>();
  holds(key: string): boolean {
    return this.als.getStore()?.has(key) ?? false;
  }
  runHolding<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const held = new Set(this.als.getStore() ?? []);
    held.add(key);
    return this.als.run(held, fn);
  }
}

/** In-process keyed mutex: callers of one key run one at a time, in arrival order. */
export class InProcessLocks implements ClosableLocks {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new HeldKeys();

  async withLock<T>(key: string, fn: () => Promise<T>, opts?: { ttlMs?: number; waitMs?: number }): Promise<T> {
    if (this.held.holds(key)) return fn();
    return this.queue(key, () => this.held.runHolding(key, fn), opts?.waitMs);
  }

  /** the queueing alone, without re-entrancy bookkeeping (RedisLocks queues locally first) */
  async queue<T>(key: string, fn: () => Promise<T>, waitMs?: number): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    // our successor waits for us, and we for our predecessor (even if we give up waiting)
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await waitFor(previous, waitMs);
    } catch (e) {
      void previous.then(done);
      this.forget(key, tail);
      throw e;
    }
    try {
      return await fn();
    } finally {
      done();
      this.forget(key, tail);
    }
  }

  private forget(key: string, tail: Promise<void>): void {
    if (this.tails.get(key) === tail) this.tails.delete(key);
  }

  async close(): Promise<void> {}
}

async function waitFor(p: Promise<void>, waitMs: number | undefined): Promise<void> {
  if (waitMs === undefined) return p;
  const ac = new AbortController();
  try {
    await Promise.race([
      p,
      sleep(waitMs, undefined, { signal: ac.signal }).then(() => {
        throw new StoreError('lock_timeout', `lock not acquired within ${waitMs}ms`);
      }),
    ]);
  } finally {
    ac.abort();
  }
}

/**
 * A lock held in Redis so several instances serialize on one key: `SET key token NX PX ttl`, renewed
 * every ttl/3 while the work runs, released by compare-and-delete (never deleting another holder's
 * lock). Waiters in this process queue locally first, so only one of them polls Redis at a time.
 */
export class RedisLocks implements ClosableLocks {
  private readonly local = new InProcessLocks();
  private readonly held = new HeldKeys();

  private constructor(private readonly redis: Redis, private readonly prefix: string, private readonly logger?: Logger) {}

  static async open(redisUrl: string, namespace: string, logger?: Logger): Promise<RedisLocks> {
    return new RedisLocks(await connectRedis(redisUrl), `${namespace}:lock:`, logger);
  }

  async withLock<T>(key: string, fn: () => Promise<T>, opts?: { ttlMs?: number; waitMs?: number }): Promise<T> {
    if (this.held.holds(key)) return fn();
    const ttlMs = opts?.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    const deadline = Date.now() + (opts?.waitMs ?? DEFAULT_LOCK_WAIT_MS);
    return this.local.queue(
      key,
      async () => {
        const redisKey = this.prefix + key;
        const token = randomUUID();
        await this.acquire(redisKey, token, ttlMs, deadline);
        const renewal = setInterval(() => void this.renew(redisKey, token, ttlMs), Math.max(50, Math.floor(ttlMs / 3)));
        renewal.unref();
        try {
          return await this.held.runHolding(key, fn);
        } finally {
          clearInterval(renewal);
          await this.redis.eval(RELEASE_IF_OWNER, 1, redisKey, token).catch((e: unknown) => {
            this.logger?.warn({ err: e }, 'redis lock release failed; it will expire');
          });
        }
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  private async acquire(redisKey: string, token: string, ttlMs: number, deadline: number): Promise<void> {
    let delay = 10;
    for (;;) {
      if ((await this.redis.set(redisKey, token, 'PX', ttlMs, 'NX')) === 'OK') return;
      const left = deadline - Date.now();
      if (left <= 0) throw new StoreError('lock_timeout', 'redis lock not acquired in time');
      await sleep(Math.min(left, delay + Math.floor(Math.random() * delay)));
      delay = Math.min(delay * 2, 200);
    }
  }

  private async renew(redisKey: string, token: string, ttlMs: number): Promise<void> {
    try {
      if ((await this.redis.eval(EXTEND_IF_OWNER, 1, redisKey, token, ttlMs)) !== 1) {
        this.logger?.warn('redis lock lost before the work finished (expired or taken over)');
      }
    } catch (e) {
      this.logger?.warn({ err: e }, 'redis lock renewal failed');
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }
}
