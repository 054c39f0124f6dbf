/**
 * The loader, in a process of its own: autocannon against one server, every request a fresh signed
 * webhook body (setupRequest builds it: unique message id, sender `n % senders`). An untimed warm-up
 * first, then the measured run; the summary goes back over IPC. Options in BENCH_OPTS (LoadSpec).
 */
import autocannon from 'autocannon';
import { inboundGenerator } from '../fixtures.js';
import type { LoadResult, LoadSpec } from './spec.js';

async function run(spec: LoadSpec, seconds: number, connections: number, rate: number | undefined, next: () => number): Promise<autocannon.Result> {
  const make = inboundGenerator(spec.channel, spec.senders, spec.text);
  return autocannon({
    url: spec.url,
    connections,
    duration: seconds,
    timeout: 10,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const r = make(next());
          return { ...req, method: 'POST', path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_OPTS ?? '{}') as LoadSpec;
  let n = 0;
  const next = () => n++;
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, Math.min(10, spec.connections), spec.rate ? Math.min(spec.rate, 200) : 200, next);
  const warm = n;
  process.send?.({ type: 'measuring' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await run(spec, spec.seconds, spec.connections, spec.rate, next);
  const cpu = process.cpuUsage(cpu0);
  const loaderCpu = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  const result: LoadResult = {
    sent: n - warm,
    completed: r.requests.total,
    seconds: r.duration,
    reqPerSec: r.requests.total / r.duration,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    loaderCpu,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.average },
  };
  process.send?.({ type: 'result', result }, undefined, {}, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send?.({ type: 'failed', error: e instanceof Error ? e.message : String(e) }, undefined, {}, () => process.exit(1));
});
