import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext, JobQueue } from '../../src/jobs/types.js';

/** What the shared behavioural suite needs from one queue implementation. */
export interface QueueHarness {
  /** a new queue instance (think: a new process) on the shared store */
  open(opts?: { backoffMs?: number }): Promise<JobQueue>;
  /** starts a queue whose handlers are registered, when the harness lets it run on its own */
  start(q: JobQueue): Promise<void>;
  /** ms since epoch on the clock the queue schedules by */
  clock(): number;
  /** a delay long enough that the job is surely still pending right after enqueue */
  delayMs: number;
  /** lets time pass and due work run until `done` holds (fails when it never does) */
  until(done: () => boolean | Promise<boolean>, queues: JobQueue[]): Promise<void>;
  /** lets time pass and due work run for a while (to show nothing more happens) */
  drain(queues: JobQueue[]): Promise<void>;
  /** closes every queue and store it opened */
  teardown(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts runs per job id. */
function recorder() {
  const runs: JobContext<unknown>[] = [];
  const count = (id: string) => runs.filter((r) => r.id === id).length;
  return { runs, count };
}

export function queueSuite(label: string, makeHarness: () => Promise<QueueHarness>) {
  describe(`${label}: JobQueue behaviour`, () => {
    let h: QueueHarness | undefined;
    const harness = async () => (h = await makeHarness());
    afterEach(async () => {
      await h?.teardown();
      h = undefined;
    });

    it('runs a delayed job once, when it is due', async () => {
      const t = await harness();
      const q = await t.open();
      const rec = recorder();
      q.register('ping', async (job) => void rec.runs.push(job));
      await t.start(q);
      const id = 'reminder:appt:42:P1D';
      expect(await q.enqueue({ id, name: 'ping', payload: { n: 1 }, runAt: t.clock() + t.delayMs })).toBe(true);
      expect((await q.get(id))?.state).toBe('pending');
      expect(rec.count(id)).toBe(0);

      await t.until(() => rec.count(id) > 0, [q]);
      await t.drain([q]);
      expect(rec.count(id)).toBe(1);
      expect(rec.runs[0]).toMatchObject({ id, name: 'ping', payload: { n: 1 }, attempt: 1 });
      expect(await q.get(id)).toMatchObject({ id, name: 'ping', state: 'done', attempts: 1 });
    });

    it('treats a second enqueue of the same id as a no-op, before and after it ran', async () => {
      const t = await harness();
      const q = await t.open();
      const rec = recorder();
      q.register('ping', async (job) => void rec.runs.push(job));
      await t.start(q);
      const id = '12345'; // all digits: an id BullMQ would refuse as is
      expect(await q.enqueue({ id, name: 'ping', payload: 1, runAt: t.clock() + t.delayMs })).toBe(true);
      expect(await q.enqueue({ id, name: 'ping', payload: 2, runAt: t.clock() })).toBe(false);
      await t.until(() => rec.count(id) > 0, [q]);
      expect(await q.enqueue({ id, name: 'ping', payload: 3 })).toBe(false);
      await t.drain([q]);
      expect(rec.runs.map((r) => r.payload)).toEqual([1]);
    });

    it('lets exactly one of several concurrent enqueues of one id win', async () => {
      const t = await harness();
      const q = await t.open();
      const rec = recorder();
      q.register('ping', async (job) => void rec.runs.push(job));
      await t.start(q);
      const id = 'send:concurrent:1';
      const results = await Promise.all([1, 2, 3, 4].map((n) => q.enqueue({ id, name: 'ping', payload: n, runAt: t.clock() + t.delayMs })));
      expect(results.filter(Boolean)).toHaveLength(1);
      await t.until(() => rec.count(id) > 0, [q]);
      await t.drain([q]);
      expect(rec.count(id)).toBe(1);
      expect(rec.runs[0]?.payload).toBe(results.indexOf(true) + 1);
    });

    it('cancels a pending job, which then never runs', async () => {
      const t = await harness();
      const q = await t.open();
      const rec = recorder();
      q.register('ping', async (job) => void rec.runs.push(job));
      await t.start(q);
      const id = 'reminder:appt:7:PT2H';
      await q.enqueue({ id, name: 'ping', payload: null, runAt: t.clock() + t.delayMs });
      await q.enqueue({ id: 'other', name: 'ping', payload: null, runAt: t.clock() + t.delayMs });
      expect(await q.cancel(id)).toBe(true);
      expect(await q.cancel(id)).toBe(false);
      expect(await q.cancel('never-enqueued')).toBe(false);
      expect((await q.get(id))?.state).toBe('canceled');

      await t.until(() => rec.count('other') > 0, [q]);
      await t.drain([q]);
      expect(rec.count(id)).toBe(0);
      expect(await q.cancel('other')).toBe(false); // done: nothing to cancel
    });

    it('retries a failing job with backoff until it succeeds', async () => {
      const t = await harness();
      const q = await t.open({ backoffMs: 10 });
      const rec = recorder();
      q.register('flaky', async (job) => {
        rec.runs.push(job);
        if (job.attempt < 3) throw new Error(`flake ${job.attempt}`);
      });
      await t.start(q);
      const id = 'send:m:1';
      await q.enqueue({ id, name: 'flaky', payload: null, attempts: 5 });
      await t.until(async () => (await q.get(id))?.state === 'done', [q]);
      expect(rec.runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(await q.get(id)).toMatchObject({ state: 'done', attempts: 3 });
    });

    it('records a job as failed with its last error when attempts run out; the id may then be scheduled again', async () => {
      const t = await harness();
      const q = await t.open({ backoffMs: 10 });
      const rec = recorder();
      q.register('doomed', async (job) => {
        rec.runs.push(job);
        throw new Error(`boom ${job.attempt}`);
      });
      await t.start(q);
      const id = 'send:m:2';
      await q.enqueue({ id, name: 'doomed', payload: null, attempts: 2 });
      await t.until(async () => (await q.get(id))?.state === 'failed', [q]);
      await t.drain([q]);
      expect(rec.count(id)).toBe(2);
      expect(await q.get(id)).toMatchObject({ state: 'failed', attempts: 2, lastError: 'boom 2' });
      expect(await q.enqueue({ id, name: 'doomed', payload: null, attempts: 1 })).toBe(true);
      await t.until(() => rec.count(id) === 3, [q]);
    });

    it('keeps a pending job across a restart and runs it exactly once after', async () => {
      const t = await harness();
      const before = await t.open();
      const rec = recorder();
      before.register('ping', async (job) => void rec.runs.push(job));
      await t.start(before);
      const id = 'reminder:appt:9:P1D';
      await before.enqueue({ id, name: 'ping', payload: { appointmentId: '9' }, runAt: t.clock() + t.delayMs });
      await before.stop();

      const after = await t.open();
      after.register('ping', async (job) => void rec.runs.push(job));
      await t.start(after);
      expect(await after.enqueue({ id, name: 'ping', payload: { appointmentId: '9' } })).toBe(false);
      await t.until(() => rec.count(id) > 0, [after]);
      await t.drain([after]);
      expect(rec.count(id)).toBe(1);
      expect(rec.runs[0]?.payload).toEqual({ appointmentId: '9' });
      expect((await after.get(id))?.state).toBe('done');
    });

    it('runs each job once when two workers share the store', async () => {
      const t = await harness();
      const a = await t.open();
      const b = await t.open();
      const ranBy: Record<string, string[]> = {};
      const handler = (who: string) => async (job: JobContext<unknown>) => {
        (ranBy[job.id] ??= []).push(who);
        await pause(2);
      };
      a.register('work', handler('a'), { concurrency: 4 });
      b.register('work', handler('b'), { concurrency: 4 });
      await t.start(a);
      await t.start(b);
      const ids = Array.from({ length: 20 }, (_, i) => `work:${i}`);
      for (const id of ids) await a.enqueue({ id, name: 'work', payload: null });

      await t.until(() => ids.every((id) => ranBy[id]), [a, b]);
      await t.drain([a, b]);
      for (const id of ids) expect(ranBy[id], id).toHaveLength(1);
    });
  });
}
