/**
 * `npm run bench`: bounded request counts, loopback only, no thresholds. Prints one table.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchFrontdesk } from './frontdesk.js';
import { formatTable, type BenchRow } from './load.js';
import { benchStore } from './store.js';
import { benchAvailabilityTurn, benchGreetingTurn } from './turns.js';
import { benchBareKoa, benchMessengerAck, benchProviderIngest } from './webhooks.js';

type SandboxBench = () => Promise<{ name: string; ops: number; msPerOp: number }>;

async function sandboxAvailability(): Promise<BenchRow | undefined> {
  const file = fileURLToPath(new URL('./sandbox-availability.ts', import.meta.url));
  if (!existsSync(file)) return undefined;
  const mod = (await import('./sandbox-availability.js')) as { benchSandboxAvailability?: SandboxBench };
  if (!mod.benchSandboxAvailability) return undefined;
  const r = await mod.benchSandboxAvailability();
  return { name: r.name, ops: r.ops, opsPerSec: 1000 / r.msPerOp, note: `sequential; mean ${r.msPerOp.toFixed(2)} ms (no percentiles reported)` };
}

async function main(): Promise<number> {
  const started = performance.now();
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const section = async (name: string, fn: () => Promise<BenchRow | BenchRow[] | undefined>) => {
    process.stderr.write(`bench: ${name}…\n`);
    try {
      const r = await fn();
      if (r) rows.push(...(Array.isArray(r) ? r : [r]));
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  await section('bare Koa baseline', benchBareKoa);
  const b = await benchFrontdesk();
  try {
    await section('Messenger webhook ack', () => benchMessengerAck(b));
    await section('provider webhook ingest', () => benchProviderIngest(b));
    await b.settle();
    await section('greeting turn', () => benchGreetingTurn(b));
    await section('availability turn', () => benchAvailabilityTurn(b));
  } finally {
    await b.close();
  }
  await section('store on SQLite', benchStore);
  await section('sandbox availability', sandboxAvailability);

  console.log(`\nfrontdesk benchmarks — Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), loopback HTTP\n`);
  console.log(formatTable(rows));
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const f of failures) console.error(`FAILED ${f}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
