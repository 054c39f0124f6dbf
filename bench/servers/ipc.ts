/**
 * The child side of a bench server: it announces its URL (IPC and stdout), answers the orchestrator's
 * commands over IPC (`memory` after a GC, `stop`, and whatever the server adds), and exits when the
 * orchestrator goes away.
 */

export type Handler = (args: unknown) => unknown;

interface Call {
  id: number;
  cmd: string;
  args?: unknown;
}

/** options the orchestrator passed (JSON in BENCH_OPTS) */
export function options<T>(): T {
  return JSON.parse(process.env.BENCH_OPTS ?? '{}') as T;
}

export function memory(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

export function serve(url: string, handlers: Record<string, Handler>, stop: () => Promise<void>): void {
  const all: Record<string, Handler> = {
    memory,
    async stop() {
      await stop();
      setTimeout(() => process.exit(0), 10).unref();
      return true;
    },
    ...handlers,
  };
  process.on('message', (m: Call) => {
    const handler = all[m.cmd];
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        process.send?.({ type: 'reply', id: m.id, ok: true, result: await handler(m.args) });
      } catch (e) {
        process.send?.({ type: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  // the orchestrator died or closed the channel: nobody to serve
  process.on('disconnect', () => process.exit(0));
  process.stdout.write(`listening ${url}\n`);
  process.send?.({ type: 'listening', url, pid: process.pid });
}

/** a start-up failure, told to the orchestrator before exiting */
export function fail(e: unknown): void {
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`${message}\n`);
  setTimeout(() => process.exit(1), 500).unref();
  if (process.send) process.send({ type: 'failed', error: message.split('\n')[0] }, undefined, {}, () => process.exit(1));
  else process.exit(1);
}
