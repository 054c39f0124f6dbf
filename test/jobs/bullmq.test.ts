import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBullQueue, decodeJobId, encodeJobId } from '../../src/jobs/bullmq.js';
import type { JobQueue } from '../../src/jobs/types.js';
import { queueSuite, type QueueHarness } from './queue-suite.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

async function deleteKeys(pattern: string) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  // Redis is required (CI starts it); a missing server fails this file rather than skipping it
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
  } catch (e) {
    throw new Error(`Redis is not reachable at ${REDIS_URL}: ${String(e)}`);
  } finally {
    redis.disconnect();
  }
});

function bullHarness(): () => Promise<QueueHarness> {
  return async () => {
    const prefix = `fdtest-${RUN}-${Math.random().toString(36).slice(2, 8)}`;
    const opened: JobQueue[] = [];
    const settle = async (done: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 500; i++) {
        if (await done()) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('condition not reached within 10 s');
    };
    return {
      delayMs: 1000,
      clock: () => Date.now(),
      async open(o) {
        const q = createBullQueue({ redisUrl: REDIS_URL, prefix, backoffMs: o?.backoffMs ?? 1000 });
        opened.push(q);
        return q;
      },
      start: (q) => q.start(),
      until: (done) => settle(done),
      drain: () => new Promise((r) => setTimeout(r, 300)),
      async teardown() {
        for (const q of opened) await q.stop();
        await deleteKeys(`${prefix}:*`);
      },
    };
  };
}

queueSuite('bullmq', bullHarness());

describe('bullmq specifics', () => {
  it('encodes ids BullMQ refuses (colons, all digits) reversibly', () => {
    for (const id of ['send:abc:1', '12345', 'a:b:c', 'x%3Ay', 'plain']) {
      const enc = encodeJobId(id);
      expect(enc).not.toContain(':');
      expect(`${parseInt(enc, 10)}`).not.toBe(enc);
      expect(decodeJobId(enc)).toBe(id);
    }
  });

  it('answers ping, and a duplicate add keeps the first payload', async () => {
    const prefix = `fdtest-${RUN}-dup`;
    const q = createBullQueue({ redisUrl: REDIS_URL, prefix });
    try {
      expect(await q.ping()).toBe(true);
      const runAt = Date.now() + 60_000;
      expect(await q.enqueue({ id: 'a:b', name: 'n', payload: 1, runAt })).toBe(true);
      expect(await q.enqueue({ id: 'a:b', name: 'n', payload: 2, runAt })).toBe(false);
      expect(await q.get('a:b')).toMatchObject({ id: 'a:b', name: 'n', state: 'pending', runAt: expect.any(Number) });
      const info = await q.get('a:b');
      expect(Math.abs((info?.runAt ?? 0) - runAt)).toBeLessThan(5_000);
    } finally {
      await q.stop();
      await deleteKeys(`${prefix}:*`);
    }
  });
});
