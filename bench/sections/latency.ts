/** 2. Acknowledgement latency at a fixed rate (autocannon `overallRate`), embedded and Redis modes. */
import { load } from '../load/spec.js';
import { int, ms, pct, rate, verdict, type Table, type Target } from '../report.js';
import { backlog, redisProblem, SETTINGS, withFrontdesk, type Mode } from './common.js';

const RATE = 1000;

export async function latencySection(platformsUrl: string): Promise<Table[]> {
  const rows: string[][] = [];
  const targets: Target[] = [];
  const redis = await redisProblem();
  for (const mode of ['embedded', 'redis'] as Mode[]) {
    if (mode === 'redis' && redis) {
      rows.push([mode, `unavailable: ${redis}`]);
      continue;
    }
    process.stderr.write(`bench: ack latency at ${RATE}/s, ${mode}…\n`);
    try {
      const { r, left } = await withFrontdesk(mode, platformsUrl, async (fd) => {
        const r = await load({ url: fd.url, channel: 'messenger', connections: SETTINGS.connections, seconds: SETTINGS.seconds, rate: RATE, senders: 500, warmupSeconds: 2 }, fd.pid);
        return { r, left: await backlog(fd.url) };
      });
      const bad = r.non2xx + r.errors + r.timeouts;
      const met = r.latency.p99 < 20 && bad === 0 && r.reqPerSec >= RATE * 0.95;
      targets.push({ figure: `${mode}: p99 ${ms(r.latency.p99, 0)} at ${rate(r.reqPerSec)} req/s, ${int(bad)} errors/non-2xx`, target: 'p99 < 20 ms, 0 errors', met: verdict(met) });
      rows.push([mode, rate(r.reqPerSec), ms(r.latency.p50, 0), ms(r.latency.p90, 0), ms(r.latency.p99, 0), ms(r.latency.max, 0), int(r.ok2xx), int(r.non2xx), int(r.errors), int(r.timeouts), pct(r.serverCpu), left.depth === undefined ? '-' : int(left.depth), 'p99 < 20 ms, 0 errors', verdict(met)]);
    } catch (e) {
      rows.push([mode, `failed: ${(e as Error).message.slice(0, 200)}`]);
    }
  }
  return [
    {
      title: `2. Acknowledgement latency at a fixed ${RATE} req/s — signed Messenger webhooks, ${SETTINGS.connections} connections, ${SETTINGS.seconds} s`,
      columns: ['mode', 'req/s done', 'p50', 'p90', 'p99', 'max', '2xx', 'non-2xx', 'errors', 'timeouts', 'server CPU', 'backlog after', 'target', 'met?'],
      rows,
      notes: [
        'embedded: SQLite store, in-process jobs; redis: store, jobs (BullMQ) and locks on Redis, a namespace of its own, deleted afterwards',
        'latencies corrected for coordinated omission (autocannon at a fixed rate); whole milliseconds; "met" also needs ≥ 95 % of the rate done',
      ],
      targets,
    },
  ];
}
