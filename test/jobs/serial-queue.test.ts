import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSerialQueue, type SerialQueue } from '../../src/jobs/serial.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { POSTGRES_URL, REDIS_URL, shouldSkip, uniqueNamespace } from '../store/services.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-serial-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const BACKENDS = [
  { name: 'sqlite', url: `sqlite:${join(dir, 'serial.sqlite')}`, redisUrl: undefined, skip: false },
  { name: 'postgres', url: POSTGRES_URL, redisUrl: undefined, skip: await shouldSkip(POSTGRES_URL) },
  { name: 'redis', url: REDIS_URL, redisUrl: undefined, skip: await shouldSkip(REDIS_URL) },
  // the default store with `redis` configured: the queue's log is in Redis
  { name: 'sqlite + redis queue', url: `sqlite:${join(dir, 'serial-r.sqlite')}`, redisUrl: REDIS_URL, skip: await shouldSkip(REDIS_URL) },
];

type Item = { n: number; failTimes?: number };

describe.each(BACKENDS)('keyed serial queue on $name', (backend) => {
  describe.skipIf(backend.skip)('', () => {
    const namespace = uniqueNamespace('serial');
    let a: OpenedStore;
    let b: OpenedStore;
    let q = 0;
    const queueName = () => `q${++q}`;

    beforeAll(async () => {
      const opts = { namespace, ...(backend.redisUrl ? { redisUrl: backend.redisUrl } : {}) };
      a = await openStore(backend.url, opts);
      b = await openStore(backend.url, opts);
    });
    afterAll(async () => {
      await a?.backend.clearNamespace();
      await a?.close();
      await b?.close();
    });

    function queueOn(store: OpenedStore, name: string, handler: (p: Item, attempt: number, key: string) => Promise<void>, over: Partial<Parameters<typeof createSerialQueue<Item>>[0]> = {}): SerialQueue<Item> {
      return createSerialQueue<Item>({ log: store.serial, name, handler: (p, ctx) => handler(p, ctx.attempt, ctx.key), pollMs: 20, backoffMs: 30, leaseMs: 2_000, ...over });
    }

    it('refuses a repeated id in one atomic push, across instances and queues', async () => {
      const name = queueName();
      const qa = queueOn(a, name, async () => {});
      const qb = queueOn(b, name, async () => {});
      const results = await Promise.all([qa.push({ id: `dup-${name}`, key: 'k', payload: { n: 1 } }), qb.push({ id: `dup-${name}`, key: 'k', payload: { n: 1 } })]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await a.serial.seen(`dup-${name}`)).toBe(true);
      expect((await qa.stats()).depth).toBe(1);
      await qa.runReady();
      expect((await qa.stats()).depth).toBe(0);
      // processed and gone from the queue, still refused by the ledger
      expect(await qb.push({ id: `dup-${name}`, key: 'k', payload: { n: 1 } })).toBe(false);
    });

    it('keeps order per key and never runs two items of one key at once, over two instances', async () => {
      const name = queueName();
      const seen = new Map<string, number[]>();
      let busy = new Set<string>();
      let overlap = 0;
      const handler = async (p: Item, _attempt: number, key: string) => {
        if (busy.has(key)) overlap++;
        busy.add(key);
        await sleep(Math.random() * 4);
        seen.set(key, [...(seen.get(key) ?? []), p.n]);
        busy.delete(key);
      };
      const qa = queueOn(a, name, handler, { concurrency: 4 });
      const qb = queueOn(b, name, handler, { concurrency: 4 });
      qa.start();
      qb.start();
      // each key's items arrive in order, alternately at either instance, while both work
      for (let n = 0; n < 20; n++) await Promise.all(Array.from({ length: 5 }, (_, k) => (n % 2 ? qa : qb).push({ id: `${name}-${k}-${n}`, key: `key-${k}`, payload: { n } })));
      for (let i = 0; i < 400 && [...seen.values()].reduce((s, l) => s + l.length, 0) < 100; i++) await sleep(25);
      await qa.stop();
      await qb.stop();
      busy = new Set();
      expect(overlap).toBe(0);
      for (let k = 0; k < 5; k++) expect(seen.get(`key-${k}`)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    });

    it('retries a failing item with backoff while later items of its key wait, then dead-letters after the last attempt', async () => {
      const name = queueName();
      const runs: string[] = [];
      const qa = queueOn(a, name, async (p, attempt) => {
        runs.push(`${p.n}#${attempt}`);
        if (attempt <= (p.failTimes ?? 0)) throw new Error(`boom ${p.n}`);
      }, { maxAttempts: 3 });
      await qa.push({ id: `${name}-1`, key: 'k', payload: { n: 1, failTimes: 2 } });
      await qa.push({ id: `${name}-2`, key: 'k', payload: { n: 2, failTimes: 5 } });
      await qa.push({ id: `${name}-3`, key: 'k', payload: { n: 3 } });
      const done = qa.settled(`${name}-3`);
      qa.start();
      expect(await done).toEqual({ outcome: 'done' });
      await qa.stop();
      expect(runs).toEqual(['1#1', '1#2', '1#3', '2#1', '2#2', '2#3', '3#1']);
      const dead = await a.serial.dead(name);
      expect(dead).toMatchObject([{ id: `${name}-2`, key: 'k', attempts: 3, error: 'boom 2', payload: null }]);
      expect(await qa.stats()).toMatchObject({ depth: 0, dead: 1 });
    });

    it('resumes a key whose worker died once its lease runs out, on another instance', async () => {
      const name = queueName();
      await a.serial.push(name, { id: `${name}-1`, key: 'k', payload: JSON.stringify({ n: 1 }), lane: 1 }, 60_000);
      await a.serial.push(name, { id: `${name}-2`, key: 'k', payload: JSON.stringify({ n: 2 }), lane: 1 }, 60_000);
      // a worker takes the head and dies without a word
      const [lost] = await a.serial.claim(name, 1, 300);
      expect(lost?.id).toBe(`${name}-1`);
      const ran: number[] = [];
      const qb = queueOn(b, name, async (p) => void ran.push(p.n), { leaseMs: 300 });
      expect(await qb.runReady()).toBe(0); // still leased
      await sleep(350);
      expect(await qb.runReady()).toBe(2);
      expect(ran).toEqual([1, 2]);
      // the dead worker's late word changes nothing
      expect(await a.serial.complete(lost!)).toBe(false);
      expect((await qb.stats()).depth).toBe(0);
    });

    it('takes high-priority keys before the backlog and low-priority ones after it', async () => {
      const name = queueName();
      const order: string[] = [];
      const qa = queueOn(a, name, async (p, _a, key) => void order.push(`${key}:${p.n}`), { concurrency: 1 });
      await qa.push({ id: `${name}-low`, key: 'broadcast', payload: { n: 1 }, priority: 'low' });
      await qa.push({ id: `${name}-n1`, key: 'chat-1', payload: { n: 1 } });
      await qa.push({ id: `${name}-n2`, key: 'chat-2', payload: { n: 1 } });
      await qa.push({ id: `${name}-high`, key: 'code', payload: { n: 1 }, priority: 'high' });
      await qa.runReady();
      expect(order).toEqual(['code:1', 'chat-1:1', 'chat-2:1', 'broadcast:1']);
    });

    it('reports depth and the oldest waiting item', async () => {
      const name = queueName();
      const qa = queueOn(a, name, async () => {});
      expect(await qa.stats()).toMatchObject({ depth: 0, leased: 0, dead: 0 });
      const before = Date.now();
      await qa.push({ id: `${name}-1`, key: 'k1', payload: { n: 1 } });
      await qa.push({ id: `${name}-2`, key: 'k2', payload: { n: 2 } });
      const s = await qa.stats();
      expect(s.depth).toBe(2);
      expect(s.oldestAt).toBeGreaterThanOrEqual(before - 1000);
      expect(s.oldestAt).toBeLessThanOrEqual(Date.now() + 1000);
      await qa.runReady();
      expect((await qa.stats()).oldestAt).toBeUndefined();
    });
  });
});
