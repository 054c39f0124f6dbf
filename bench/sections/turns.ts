/**
 * 3. Turn overhead: a Messenger webhook sent → the first reply's request reaching the platform stub, both
 * seen by the stub's process (one clock). The provider is the sandbox mounted in frontdesk (in-process,
 * answers at once); the turns timed are a new patient's "hi" and the next tap, which need no provider call.
 */
import type { Child } from '../child.js';
import { int, ms, percentile, verdict, type Table, type Target } from '../report.js';
import type { TurnsResult } from '../servers/patients.js';
import { FACILITY, SECRETS } from '../fixtures.js';
import { redisProblem, settle, withFrontdesk, type Mode } from './common.js';

const SENDERS = 150;
const CONCURRENCY = 4;
/** staff consoles open on the live inbox (GET /staff/v1/events) during the "+ consoles" run */
const CONSOLES = 25;

/** opens `n` server-sent event streams as staff consoles would, from this (the orchestrating) process */
async function openConsoles(base: string, n: number): Promise<() => void> {
  const abort = new AbortController();
  const opened = await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`${base}/staff/v1/events?facilityId=${FACILITY}`, { headers: { authorization: `Bearer ${SECRETS.staffToken}` }, signal: abort.signal });
      if (res.status !== 200 || !res.body) throw new Error(`events stream answered ${res.status}`);
      // drain what the stream sends, as a browser would
      void res.body.pipeTo(new WritableStream()).catch(() => undefined);
      return res;
    }),
  );
  return () => {
    abort.abort();
    void opened;
  };
}

export async function turnsSection(platforms: Child): Promise<Table[]> {
  const rows: string[][] = [];
  const notes: string[] = [];
  const targets: Target[] = [];
  const redis = await redisProblem();
  const runs: { mode: Mode; label: string; consoles: number }[] = [
    { mode: 'embedded', label: 'embedded', consoles: 0 },
    { mode: 'embedded', label: `embedded + ${CONSOLES} consoles`, consoles: CONSOLES },
    { mode: 'redis', label: 'redis', consoles: 0 },
  ];
  for (const { mode: m, label: mode, consoles } of runs) {
    if (m === 'redis' && redis) {
      rows.push([mode, `unavailable: ${redis}`]);
      continue;
    }
    process.stderr.write(`bench: turn overhead, ${mode}…\n`);
    try {
      const r = await withFrontdesk(m, platforms.url, async (fd) => {
        await platforms.call('turns', { target: fd.url, senders: 10, concurrency: 2, timeoutMs: 20_000 });
        const s = await settle(fd.url, 20_000);
        notes.push(`${mode}: warm-up of 10 patients, then waited ${(s.ms / 1000).toFixed(1)} s (${s.how === 'fixed' ? 'fixed wait: no frontdesk_queue_depth metric' : s.how === 'empty' ? 'inbound queue empty' : 'bound reached'})`);
        const close = consoles ? await openConsoles(fd.url, consoles) : () => undefined;
        try {
          return await platforms.call<TurnsResult>('turns', { target: fd.url, senders: SENDERS, concurrency: CONCURRENCY, timeoutMs: 30_000 });
        } finally {
          close();
        }
      });
      const all = [...r.first, ...r.next];
      const row = (label: string, v: number[]) => [mode, label, int(v.length), ms(percentile(v, 50)), ms(percentile(v, 90)), ms(percentile(v, 99)), ms(Math.max(...v)), 'p99 < 30 ms', verdict(v.length ? percentile(v, 99) < 30 && r.failed === 0 : undefined)];
      rows.push(row('new patient: "hi" → greeting', r.first), row('next: tap "Book" → consent', r.next), row('all turns', all));
      targets.push({ figure: `${mode}: turn p99 ${ms(percentile(all, 99))} (${all.length} turns)`, target: 'p99 < 30 ms', met: rows.at(-1)!.at(-1)! });
      notes.push(`${mode}: webhook ack as the patient saw it p50 ${ms(percentile(r.ack, 50))}, p99 ${ms(percentile(r.ack, 99))}; ${r.failed} patient(s) without a reply${r.failures.length ? `: ${r.failures.join('; ')}` : ''}`);
    } catch (e) {
      rows.push([mode, `failed: ${(e as Error).message.slice(0, 200)}`]);
    }
  }
  return [
    {
      title: `3. Turn overhead — webhook sent → reply at the platform stub, ${SENDERS} patients × 2 turns, ${CONCURRENCY} at a time`,
      columns: ['mode', 'turn', 'n', 'p50', 'p90', 'p99', 'max', 'target', 'met?'],
      rows,
      notes,
      targets,
    },
  ];
}
