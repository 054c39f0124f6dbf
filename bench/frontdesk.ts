/** A whole frontdesk in this process (SQLite store, embedded sandbox, platforms stand-in) for the benchmarks. */
import { startFrontdesk, startPlatforms, testConfig } from '../test/support/frontdesk.js';

export async function benchFrontdesk() {
  const platforms = await startPlatforms();
  const fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url }));
  return {
    fd,
    platforms,
    /** waits (bounded) until every accepted inbound event was processed, so sections do not overlap */
    async settle(maxMs = 30_000): Promise<boolean> {
      const until = Date.now() + maxMs;
      while (Date.now() < until) {
        if ((await fd.store.backend.indexes.members('inbox:pending')).length === 0) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    async close() {
      await fd.close();
      await platforms.close();
    },
  };
}
export type BenchFrontdesk = Awaited<ReturnType<typeof benchFrontdesk>>;
