/**
 * A small load generator: runs `op` a bounded number of times with at most `concurrency` in flight,
 * times each call, and summarizes (ops/s over the wall time, latency percentiles).
 */

export interface LoadOptions {
  name: string;
  /** timed operations */
  total: number;
  concurrency: number;
  /** untimed operations run first, same concurrency (JIT, connection pools, caches) */
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
  p95?: number;
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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export async function runLoad(opts: LoadOptions): Promise<BenchRow> {
  const warmup = opts.warmup ?? 0;
  if (warmup > 0) await pool(warmup, opts.concurrency, -warmup, opts.op);
  const times: number[] = [];
  const started = performance.now();
  await pool(opts.total, opts.concurrency, 0, opts.op, (ms) => times.push(ms));
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    name: opts.name,
    ops: opts.total,
    opsPerSec: (opts.total / elapsed) * 1000,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    note: `concurrency ${opts.concurrency}`,
  };
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

export function formatTable(rows: BenchRow[]): string {
  const header = ['name', 'ops', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'note'];
  const body = rows.map((r) => [r.name, String(r.ops), fmt(r.opsPerSec, 0), fmt(r.p50), fmt(r.p95), fmt(r.p99), r.note ?? '']);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
