import { describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../src/jobs/embedded.js';
import { createMemoryBackend } from '../support/memory-backend.js';
import { embeddedHarness } from './embedded-harness.js';
import { queueSuite } from './queue-suite.js';

const shared = createMemoryBackend();
queueSuite('embedded (memory store)', embeddedHarness(async () => ({ ...shared, close: async () => {} })));

describe('embedded queue specifics', () => {
  it('a high-priority job (a verification code) runs before a backlog already due (a broadcast)', async () => {
    const backend = createMemoryBackend();
    let clock = Date.UTC(2030, 0, 1, 8);
    const q = createEmbeddedQueue({ backend, now: () => clock });
    const order: string[] = [];
    q.register('send', async (job) => {
      order.push(job.id);
    }, { concurrency: 1 });
    for (let i = 0; i < 40; i++) await q.enqueue({ id: `bc:${i}`, name: 'send', payload: null, priority: 'low' });
    clock += 1000;
    await q.enqueue({ id: 'otp:1', name: 'send', payload: null, priority: 'high' });
    while (order.length < 41) if ((await q.runDue()) === 0) break;
    expect(order[0]).toBe('otp:1');
    expect(order).toHaveLength(41);
    expect(order.slice(1).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `bc:${i}`).sort());
  });

  it('runs due jobs from its poll loop once started, and stop waits for the running one', async () => {
    const backend = createMemoryBackend();
    const q = createEmbeddedQueue({ backend, pollMs: 5 });
    let finished = 0;
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    q.register('slow', async () => {
      release();
      await new Promise((r) => setTimeout(r, 20));
      finished++;
    });
    await q.enqueue({ id: 'slow:1', name: 'slow', payload: null });
    await q.start();
    await started;
    await q.stop();
    expect(finished).toBe(1);
    expect((await q.get('slow:1'))?.state).toBe('done');
  });

  it("takes over a job whose worker died once that worker's lease expires, and ignores the dead run's late result", async () => {
    const backend = createMemoryBackend();
    let now = 1_000_000;
    const dead = createEmbeddedQueue({ backend, now: () => now, owner: 'dead', leaseMs: 30 });
    let unblockDead!: () => void;
    dead.register('send', () => new Promise<void>((r) => (unblockDead = r)));
    await dead.enqueue({ id: 'send:x', name: 'send', payload: null, attempts: 3 });
    const deadRun = dead.runDue(); // hangs: the "crashed" worker
    await new Promise((r) => setTimeout(r, 5));
    expect((await dead.get('send:x'))?.state).toBe('running');

    const alive = createEmbeddedQueue({ backend, now: () => now, owner: 'alive', leaseMs: 60_000 });
    const attempts: number[] = [];
    alive.register('send', async (job) => void attempts.push(job.attempt));
    expect(await alive.runDue()).toBe(0); // lease still held
    expect(await alive.enqueue({ id: 'send:x', name: 'send', payload: null })).toBe(false);

    let ran = 0;
    for (let i = 0; i < 100 && ran === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      ran = await alive.runDue();
    }
    expect(attempts).toEqual([2]);
    expect(await alive.get('send:x')).toMatchObject({ state: 'done', attempts: 2 });

    unblockDead();
    await deadRun;
    now += 60_000;
    expect(await alive.runDue()).toBe(0);
    expect(attempts).toEqual([2]);
    expect(await alive.get('send:x')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('records failed when the worker of the last attempt died', async () => {
    const backend = createMemoryBackend();
    const dead = createEmbeddedQueue({ backend, owner: 'dead', leaseMs: 20 });
    dead.register('send', () => new Promise<void>(() => {}));
    await dead.enqueue({ id: 'send:y', name: 'send', payload: null, attempts: 1 });
    void dead.runDue();

    const alive = createEmbeddedQueue({ backend, owner: 'alive' });
    let calls = 0;
    alive.register('send', async () => void calls++);
    for (let i = 0; i < 100 && (await alive.get('send:y'))?.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await alive.runDue();
    }
    expect(calls).toBe(0);
    expect(await alive.get('send:y')).toMatchObject({ state: 'failed', lastError: 'worker lost during the last attempt' });
  });

  it('leaves a job for a name nobody registered pending', async () => {
    const backend = createMemoryBackend();
    const q = createEmbeddedQueue({ backend });
    await q.enqueue({ id: 'orphan', name: 'unknown', payload: null });
    expect(await q.runDue()).toBe(0);
    expect((await q.get('orphan'))?.state).toBe('pending');
    expect(await q.ping()).toBe(true);
  });
});
