/**
 * 1. Inbound acknowledgement per channel: autocannon (own process) with fresh signed bodies, against
 * frontdesk (a fresh instance per channel), a bare Koa app doing the same signature check, and bottender
 * 1.5.5's Viber webhook with an empty handler, one after the other in this run.
 */
import { startServer, type Child } from '../child.js';
import { CHANNELS, type Channel } from '../fixtures.js';
import { load, type LoadResult } from '../load/spec.js';
import { ensureBottender } from '../peers.js';
import { int, ms, pct, rate, ratio, verdict, type Table, type Target } from '../report.js';
import { backlog, SETTINGS, startFrontdesk } from './common.js';

type Server = 'frontdesk' | 'bare Koa' | 'bottender 1.5.5';

const spec = (url: string, channel: Channel) => ({ url, channel, connections: SETTINGS.connections, seconds: SETTINGS.seconds, senders: 500, warmupSeconds: 2 });

export async function ackSection(platformsUrl: string): Promise<Table[]> {
  const results = new Map<string, LoadResult | string>();
  const left = new Map<Channel, string>();
  const key = (s: Server, c: Channel) => `${s}|${c}`;
  const attempt = async (s: Server, c: Channel, run: () => Promise<LoadResult>) => {
    process.stderr.write(`bench: ack ${s} ${c}…\n`);
    try {
      results.set(key(s, c), await run());
    } catch (e) {
      results.set(key(s, c), `failed: ${(e as Error).message.slice(0, 200)}`);
    }
  };

  const koa = await startServer('bare Koa', './servers/koa.ts');
  const problem = await ensureBottender();
  let bottender: Child | string = problem ? `unavailable: ${problem}` : '';
  if (!problem) bottender = await startServer('bottender', './servers/bottender.ts').catch((e: Error) => `unavailable: ${e.message.slice(0, 200)}`);
  try {
    for (const c of CHANNELS) {
      await attempt('frontdesk', c, async () => {
        const fd = await startFrontdesk('embedded', platformsUrl);
        try {
          const r = await load(spec(fd.url, c), fd.pid);
          const b = await backlog(fd.url);
          if (b.depth !== undefined) left.set(c, `${int(b.depth)} waiting${b.oldestSeconds !== undefined ? `, oldest ${b.oldestSeconds.toFixed(1)} s` : ''}`);
          return r;
        } finally {
          await fd.stop(3000);
        }
      });
      await attempt('bare Koa', c, () => load(spec(koa.url, c), koa.pid));
      if (c === 'viber') {
        if (typeof bottender === 'string') results.set(key('bottender 1.5.5', c), bottender);
        else {
          const b = bottender;
          await attempt('bottender 1.5.5', c, () => load(spec(b.url, c), b.pid));
        }
      }
    }
  } finally {
    await koa.stop();
    if (typeof bottender !== 'string') await bottender.stop();
  }

  const rows: string[][] = [];
  for (const c of CHANNELS) {
    for (const s of ['frontdesk', 'bare Koa', 'bottender 1.5.5'] as Server[]) {
      const r = results.get(key(s, c));
      if (r === undefined) continue;
      if (typeof r === 'string') rows.push([c, s, r]);
      else rows.push([c, s, rate(r.reqPerSec), ms(r.latency.p50, 0), ms(r.latency.p99, 0), ms(r.latency.max, 0), int(r.ok2xx), int(r.non2xx), int(r.errors), int(r.timeouts), pct(r.serverCpu), pct(r.loaderCpu), s === 'frontdesk' ? (left.get(c) ?? '-') : '']);
    }
  }
  const rps = (s: Server, c: Channel) => {
    const r = results.get(key(s, c));
    return typeof r === 'object' ? r.reqPerSec : undefined;
  };
  const targets: Target[] = [];
  const ratios: string[][] = CHANNELS.map((c) => {
    const fd = rps('frontdesk', c);
    const koaRps = rps('bare Koa', c);
    const vsKoa = fd !== undefined && koaRps ? fd / koaRps : undefined;
    const bt = c === 'viber' ? rps('bottender 1.5.5', c) : undefined;
    const vsBt = fd !== undefined && bt ? fd / bt : undefined;
    targets.push({ figure: `${c}: frontdesk ÷ bare Koa ${ratio(vsKoa)} (${rate(fd)} / ${rate(koaRps)} req/s)`, target: '≥ 0.50×', met: verdict(vsKoa === undefined ? undefined : vsKoa >= 0.5) });
    if (c === 'viber') targets.push({ figure: `viber: frontdesk ÷ bottender ${ratio(vsBt)} (${rate(fd)} / ${rate(bt)} req/s)`, target: '≥ 3×', met: verdict(vsBt === undefined ? undefined : vsBt >= 3) });
    return [c, rate(fd), rate(koaRps), ratio(vsKoa), '≥ 0.50×', verdict(vsKoa === undefined ? undefined : vsKoa >= 0.5), ...(c === 'viber' ? [rate(bt), ratio(vsBt), '≥ 3×', verdict(vsBt === undefined ? undefined : vsBt >= 3)] : ['', '', '', ''])];
  });
  return [
    {
      title: `1. Inbound acknowledgement — autocannon, ${SETTINGS.connections} connections, ${SETTINGS.seconds} s, 500 senders, unique ids`,
      columns: ['channel', 'server', 'req/s', 'p50', 'p99', 'max', '2xx', 'non-2xx', 'errors', 'timeouts', 'server CPU', 'loader CPU', 'inbound backlog after'],
      rows,
      notes: [
        'frontdesk: a fresh instance per channel (embedded: SQLite store), the turns it queues run in the same process while the load goes on',
        'bare Koa: raw body + the same signature check (HMAC-SHA256 / twilio.validateRequest), 200; bottender: express + body-parser, empty handler',
        'every server, the loader and the platform stub are separate processes on the same 2 cores; CPU = share of one core during the measured run (100 % = one core busy)',
      ],
    },
    {
      title: '1b. Acknowledgement throughput ratios (same run)',
      columns: ['channel', 'frontdesk req/s', 'bare Koa req/s', 'fd ÷ Koa', 'target', 'met?', 'bottender req/s', 'fd ÷ bottender', 'target', 'met?'],
      rows: ratios,
      targets,
    },
  ];
}
