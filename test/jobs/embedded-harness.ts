import { createEmbeddedQueue, type EmbeddedQueue } from '../../src/jobs/embedded.js';
import type { StoreBackend } from '../../src/store/types.js';
import type { QueueHarness } from './queue-suite.js';

const STEP_MS = 10 * 60_000;
const MAX_STEPS = 200;

/**
 * Drives embedded queues by hand: a clock moved in steps and `runDue` on every queue each step.
 * `connect` gives each queue (each "process") its own connection to one shared store.
 */
export function embeddedHarness(connect: () => Promise<StoreBackend>, cleanup?: () => Promise<void>): () => Promise<QueueHarness> {
  return async () => {
    let clock = Date.UTC(2030, 0, 1, 8);
    const namespace = `jobs-${Math.random().toString(36).slice(2, 10)}`;
    const opened: { queue: EmbeddedQueue; backend: StoreBackend }[] = [];
    const runAll = (queues: unknown[]) => Promise.all(queues.map((q) => (q as EmbeddedQueue).runDue()));

    return {
      delayMs: 60_000,
      clock: () => clock,
      async open(o) {
        const backend = await connect();
        const queue = createEmbeddedQueue({ backend, namespace, now: () => clock, backoffMs: o?.backoffMs ?? 1000, owner: `worker-${opened.length}` });
        opened.push({ queue, backend });
        return queue;
      },
      // driven by hand (runDue) rather than by the poll loop, so the clock alone decides what runs
      start: async () => {},
      async until(done, queues) {
        for (let i = 0; i < MAX_STEPS; i++) {
          await runAll(queues);
          if (await done()) return;
          clock += STEP_MS;
        }
        throw new Error(`condition not reached after ${MAX_STEPS} clock steps`);
      },
      async drain(queues) {
        for (let i = 0; i < 5; i++) {
          clock += STEP_MS;
          await runAll(queues);
        }
      },
      async teardown() {
        for (const { queue, backend } of opened) {
          await queue.stop();
          await backend.close();
        }
        await cleanup?.();
      },
    };
  };
}
