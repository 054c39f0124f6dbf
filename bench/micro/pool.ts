/**
 * In-process micro-benchmarks: runs `op` a bounded number of times with at most `concurrency` in
 * flight, times each call, and summarizes (ops/s over the wall time, latency percentiles).
 */
import { percentile } from '../report.js';

export interface LoadOptions {
  name: string;
  /** timed operations */
  total: number;
  concurrency: number;
  /** untimed operations run first, same concurrency (JIT, caches) */
  warmup?: number;
  /** the i-th operation; warm-up calls get negative indexes (-warmup … -1) */
  op: (i: number) => Promise<void>;
}

export interface BenchRow {
  name: string;
  ops: number;
  opsPerSec: number;
  /** milliseconds; undefined when the source reports only a mean */
  p50?: number;
  p99?: number;
  note?: string;
}

async function pool(count: number, concurrency: number, first: number, op: (i: number) => Promise<void>, onDone?: (ms: number) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= count) return;
      const t0 = performance.now();
      await op(first + n);
      onDone?.(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

export async function runLoad(opts: LoadOptions): Promise<BenchRow> {
  const warmup = opts.warmup ?? 0;
  if (warmup > 0) await pool(warmup, opts.concurrency, -warmup, opts.op);
  const times: number[] = [];
  const started = performance.now();
  await pool(opts.total, opts.concurrency, 0, opts.op, (ms) => times.push(ms));
  const elapsed = performance.now() - started;
  return { name: opts.name, ops: opts.total, opsPerSec: (opts.total / elapsed) * 1000, p50: percentile(times, 50), p99: percentile(times, 99), note: `concurrency ${opts.concurrency}` };
}
