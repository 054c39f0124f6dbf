/**
 * `npm run bench`: every figure of issue 11 in one run, printed as tables with their targets (nothing is
 * asserted). Each server under test, the loader (autocannon) and the platform stub run in processes of
 * their own, on 127.0.0.1 and ephemeral ports; this process only orchestrates and prints.
 *
 * BENCH_SECONDS (default 10) sets each timed load run, BENCH_SCALE (default 1) multiplies the scale
 * section's counts, BENCH_ONLY=ack,latency,turns,bookings,scale,micro picks sections, BENCH_PROFILE=<dir>
 * has every frontdesk child write a V8 CPU profile (.cpuprofile) there when it stops.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { PROFILE_DIR, startServer } from './child.js';
import { formatTable, type Table } from './report.js';
import { ackSection } from './sections/ack.js';
import { bookingsSection } from './sections/bookings.js';
import { cleanup, SETTINGS, wanted } from './sections/common.js';
import { latencySection } from './sections/latency.js';
import { microSection } from './sections/micro.js';
import { scaleSection } from './sections/scale.js';
import { turnsSection } from './sections/turns.js';

function summary(tables: Table[]): Table {
  const rows = tables.flatMap((t) => (t.targets ?? []).map((x) => [t.title.split(' ')[0]!, x.figure, x.target, x.met]));
  return { title: `Targets (${rows.filter((r) => r[3] === 'met').length} of ${rows.length} met)`, columns: ['section', 'figure', 'target', 'met?'], rows };
}

async function main(): Promise<number> {
  const started = performance.now();
  const header = [
    `frontdesk benchmarks — Node ${process.version}, ${cpus().length} CPU(s) (availableParallelism ${availableParallelism()}; ${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}`,
    `settings: BENCH_SECONDS=${SETTINGS.seconds}, BENCH_SCALE=${SETTINGS.scale}, connections ${SETTINGS.connections}, Redis ${SETTINGS.redisUrl}${SETTINGS.only.length ? `, only ${SETTINGS.only.join(',')}` : ''}${PROFILE_DIR ? `, CPU profiles of frontdesk into ${PROFILE_DIR}` : ''}`,
    'every server, the loader (autocannon) and the platform stub in processes of their own, on 127.0.0.1',
  ];
  console.log(header.join('\n'));
  const tables: Table[] = [];
  const failures: string[] = [];
  const platforms = await startServer('platform stub', './servers/platforms.ts');
  const section = async (name: string, fn: () => Promise<Table[]>) => {
    if (!wanted(name)) return;
    const t0 = performance.now();
    try {
      const ts = await fn();
      tables.push(...ts);
      for (const t of ts) console.log(`\n${formatTable(t)}`);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      console.log(`\n## ${name}: FAILED — ${e instanceof Error ? e.message : String(e)}`);
    }
    process.stderr.write(`bench: ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };
  try {
    await section('ack', () => ackSection(platforms.url));
    await section('latency', () => latencySection(platforms.url));
    await section('turns', () => turnsSection(platforms));
    await section('bookings', () => bookingsSection(platforms));
    await section('scale', () => scaleSection(platforms));
    await section('micro', microSection);
  } finally {
    await platforms.stop();
    await cleanup().catch((e: Error) => failures.push(`cleanup: ${e.message}`));
  }
  console.log(`\n${formatTable(summary(tables))}`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const f of failures) console.error(`FAILED ${f}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
