import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../../src/core/domain.js';
import { InProcessLocks, RedisLocks, isStoreError, openStore, type ClosableLocks } from '../../src/store/index.js';
import { REDIS_URL, deferred, shouldSkip, uniqueNamespace } from './services.js';

/**
 * Runs `n` critical sections that each read a shared counter, yield, and write it back: without
 * mutual exclusion the counter loses increments and more than one section is inside at once.
 */
async function contend(n: number, run: (i: number, body: () => Promise<void>) => Promise<void>) {
  let counter = 0;
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      run(i, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        const seen = counter;
        await sleep(2);
        counter = seen + 1;
        inside--;
      }),
    ),
  );
  return { counter, maxInside };
}

describe('in-process locks', () => {
  const locks = new InProcessLocks();

  it('runs the callers of one key one at a time, in arrival order', async () => {
    const started: number[] = [];
    const result = await contend(10, (i, body) =>
      locks.withLock('k', async () => {
        started.push(i);
        await sleep((10 - i) % 3);
        await body();
      }),
    );
    expect(result).toEqual({ counter: 10, maxInside: 1 });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the harness does see overlap when nothing serializes', async () => {
    const result = await contend(10, (_, body) => body());
    expect(result.maxInside).toBeGreaterThan(1);
    expect(result.counter).toBeLessThan(10);
  });

  it('does not hold back other keys', async () => {
    const gate = deferred();
    const holding = locks.withLock('a', () => gate.promise);
    const other = await locks.withLock('b', async () => 'b ran while a was held');
    expect(other).toBe('b ran while a was held');
    gate.resolve();
    await holding;
  });

  it('lets a holder take its own key again instead of waiting on itself', async () => {
    const value = await locks.withLock('re', () => locks.withLock('other', () => locks.withLock('re', async () => 42)));
    expect(value).toBe(42);
  });

  it('passes results and errors through and frees the key after an error', async () => {
    await expect(locks.withLock('e', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await locks.withLock('e', async () => 'free again')).toBe('free again');
  });

  it('gives up after waitMs without breaking the order of those behind', async () => {
    const gate = deferred();
    const order: string[] = [];
    const holder = locks.withLock('w', async () => {
      await gate.promise;
      order.push('holder');
    });
    const impatient = locks.withLock('w', async () => order.push('impatient'), { waitMs: 20 }).catch((e: unknown) => e);
    const patient = locks.withLock('w', async () => order.push('patient'));
    expect(isStoreError(await impatient, 'lock_timeout')).toBe(true);
    gate.resolve();
    await Promise.all([holder, patient]);
    expect(order).toEqual(['holder', 'patient']);
  });
});

const skipRedis = await shouldSkip(REDIS_URL);

describe.skipIf(skipRedis)('redis locks across two instances', () => {
  const namespace = uniqueNamespace('locks');
  let one: ClosableLocks;
  let two: ClosableLocks;

  beforeAll(async () => {
    one = await RedisLocks.open(REDIS_URL, namespace);
    two = await RedisLocks.open(REDIS_URL, namespace);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('lets only one instance in at a time', async () => {
    const result = await contend(30, (i, body) => (i % 2 ? one : two).withLock('shared', body));
    expect(result).toEqual({ counter: 30, maxInside: 1 });
  });

  it('makes the other instance wait, and time out after waitMs', async () => {
    const gate = deferred();
    const entered = deferred();
    const holder = one.withLock('busy', async () => {
      entered.resolve();
      await gate.promise;
    });
    await entered.promise;
    const failure = await two.withLock('busy', async () => 'should not run', { waitMs: 100 }).catch((e: unknown) => e);
    expect(isStoreError(failure, 'lock_timeout')).toBe(true);
    gate.resolve();
    await holder;
    expect(await two.withLock('busy', async () => 'after release')).toBe('after release');
  });

  it('renews a lock held longer than its ttl', async () => {
    const gate = deferred();
    const entered = deferred();
    const holder = one.withLock(
      'long',
      async () => {
        entered.resolve();
        await gate.promise;
      },
      { ttlMs: 150 },
    );
    await entered.promise;
    await sleep(500); // more than three ttls: without renewal the key would have expired
    const failure = await two.withLock('long', async () => 'stolen', { waitMs: 50 }).catch((e: unknown) => e);
    expect(isStoreError(failure, 'lock_timeout')).toBe(true);
    gate.resolve();
    await holder;
  });

  it('is re-entrant for the holder', async () => {
    expect(await one.withLock('nest', () => one.withLock('nest', async () => 'inner'))).toBe('inner');
  });
});

describe.skipIf(skipRedis)('two stores with redisUrl', () => {
  // the values live in Redis too, so each read-modify-write spans network round trips and two
  // unserialized instances would interleave (on SQLite each one finishes within a single tick)
  it('serialize read-modify-writes of one appointment across instances', async () => {
    const namespace = uniqueNamespace('store-locks');
    const a = await openStore(REDIS_URL, { namespace, redisUrl: REDIS_URL });
    const b = await openStore(REDIS_URL, { namespace, redisUrl: REDIS_URL });
    try {
      const seed: Appointment = {
        facilityId: 'f', appointmentId: 'A', status: 'SCHEDULED', start: '2025-01-02T09:00:00+08:00',
        calendarId: 'c', appointmentTypeId: 't', patient: { name: 'N', phone: '+630000000' }, queueNumber: '0',
      };
      await a.appointments.upsert('f', 'A', () => seed);
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).appointments.upsert('f', 'A', (cur) => cur && { ...cur, queueNumber: String(Number(cur.queueNumber) + 1) }),
        ),
      );
      expect((await a.appointments.get('f', 'A'))?.queueNumber).toBe('40');
    } finally {
      await a.backend.clearNamespace();
      await a.close();
      await b.close();
    }
  });
});
