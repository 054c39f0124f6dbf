/** 6. Micro-benchmarks in the orchestrator's process: store operations on SQLite, the sandbox's availability. */
import { benchSandboxAvailability } from '../micro/sandbox-availability.js';
import type { BenchRow } from '../micro/pool.js';
import { benchStore } from '../micro/store.js';
import { int, ms, rate, type Table } from '../report.js';

export async function microSection(): Promise<Table[]> {
  process.stderr.write('bench: micro-benchmarks…\n');
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  try {
    rows.push(...(await benchStore()));
  } catch (e) {
    failures.push(`store: ${(e as Error).message}`);
  }
  try {
    const r = await benchSandboxAvailability();
    rows.push({ name: r.name, ops: r.ops, opsPerSec: 1000 / r.msPerOp, note: `sequential; mean ${r.msPerOp.toFixed(2)} ms` });
  } catch (e) {
    failures.push(`sandbox: ${(e as Error).message}`);
  }
  return [
    {
      title: '6. Micro-benchmarks (in-process, no target)',
      columns: ['operation', 'ops', 'ops/s', 'p50', 'p99', 'note'],
      rows: rows.map((r) => [r.name, int(r.ops), rate(r.opsPerSec), ms(r.p50, 2), ms(r.p99, 2), r.note ?? '']),
      notes: failures,
    },
  ];
}
