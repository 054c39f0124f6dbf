/**
 * 4. Complete bookings per second against the sandbox mounted in frontdesk: patients on Messenger (driven
 * from the platform stub), each through greeting → book → consent → name → date of birth → phone → skip
 * the SMS code → gender → calendar → date → time → "yes", each on an open slot of its own (read from the
 * sandbox's availability first, so no two patients race for one time).
 */
import { DateTime } from 'luxon';
import type { Child } from '../child.js';
import { FACILITY } from '../fixtures.js';
import { int, ms, percentile, rate, secs, verdict, type Table, type Target } from '../report.js';
import type { BookingsResult } from '../servers/patients.js';
import { SETTINGS, withFrontdesk } from './common.js';

const CONCURRENCY = 50;
const WARMUP = 2;
const AUTH = `Basic ${Buffer.from('st-lukes:st-lukes-key').toString('base64')}`;

async function openSlots(base: string): Promise<string[]> {
  const now = DateTime.now().setZone('Asia/Manila');
  const out: string[] = [];
  for (let m = 0; m < 4; m++) {
    const month = now.plus({ months: m }).toFormat('yyyy-MM');
    const res = await fetch(`${base}/sandbox/${FACILITY}/api/v1/availability?month=${month}&calendar_id=201&appointment_type_id=2001`, { headers: { authorization: AUTH } });
    if (res.status !== 200) continue;
    out.push(...((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start));
  }
  return out;
}

export async function bookingsSection(platforms: Child): Promise<Table[]> {
  process.stderr.write('bench: complete bookings…\n');
  const rows: string[][] = [];
  const notes: string[] = [];
  const targets: Target[] = [];
  try {
    const r = await withFrontdesk('embedded', platforms.url, async (fd) => {
      const slots = await openSlots(fd.url);
      if (slots.length < WARMUP + 1) throw new Error(`only ${slots.length} open slots in the sandbox`);
      await platforms.call<BookingsResult>('bookings', { target: fd.url, slots: slots.slice(0, WARMUP), concurrency: WARMUP, seconds: 60, stepTimeoutMs: 30_000 });
      notes.push(`${slots.length} open laboratory slots in the sandbox; ${WARMUP} warm-up bookings first; no new patient after ${SETTINGS.seconds} s, those under way finish (wall time includes them)`);
      return platforms.call<BookingsResult>('bookings', { target: fd.url, slots: slots.slice(WARMUP), concurrency: CONCURRENCY, seconds: SETTINGS.seconds, stepTimeoutMs: 30_000 });
    });
    const perSec = r.completed / r.wallSeconds;
    rows.push([
      'embedded',
      int(r.started),
      int(r.completed),
      int(r.failed),
      secs(r.wallSeconds),
      rate(perSec),
      rate(r.turns / r.wallSeconds),
      ms(percentile(r.bookingMs, 50), 0),
      ms(percentile(r.bookingMs, 99), 0),
      ms(percentile(r.turnMs, 50)),
      ms(percentile(r.turnMs, 99)),
      '≥ 100/s',
      verdict(r.completed > 0 ? perSec >= 100 : undefined),
    ]);
    targets.push({ figure: `${rate(perSec)} complete bookings/s (${r.completed} of ${r.started})`, target: '≥ 100/s', met: rows[0]!.at(-1)! });
    if (r.failures.length) notes.push(`failures: ${r.failures.join(' | ')}`);
  } catch (e) {
    rows.push(['embedded', `failed: ${(e as Error).message.slice(0, 200)}`]);
  }
  return [
    {
      title: `4. Complete bookings against the sandbox — Messenger webhooks, ${CONCURRENCY} patients at a time, 12 turns each`,
      columns: ['mode', 'patients', 'booked', 'failed', 'wall', 'bookings/s', 'turns/s', 'booking p50', 'booking p99', 'turn p50', 'turn p99', 'target', 'met?'],
      rows,
      notes,
      targets,
    },
  ];
}
