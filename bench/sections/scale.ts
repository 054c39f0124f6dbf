/**
 * 5. Scale, on SQLite store files generated straight into the store (./scale/seed.ts):
 *  a. a broadcast over one day of 100k appointments (each its own Messenger contact), started as staff do
 *     (`POST /staff/v1/broadcasts`, dry run then the real one): time to plan, the process's peak RSS;
 *  b. RSS of an instance on 1M stored conversations and 200k appointments against one on an empty store;
 *  c. bytes per stored conversation (file growth ÷ conversations).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { peakRss, startServer, type Child } from '../child.js';
import { FACILITY, SECRETS } from '../fixtures.js';
import { int, mb, ms, secs, verdict, type Table, type Target } from '../report.js';
import { captureRows } from '../scale/replay.js';
import { dayAhead, seedAppointments, seedBroadcastDay, seedConversations } from '../scale/seed.js';
import type { TurnsResult } from '../servers/patients.js';
import { frontdeskOptions, SETTINGS, tempDir } from './common.js';

const fileBytes = (file: string) => ['', '-wal', '-shm'].reduce((n, s) => n + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0), 0);
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const since = (t0: number) => performance.now() - t0;

function startOn(file: string, platformsUrl: string): Promise<Child> {
  return startServer('frontdesk (scale)', './servers/frontdesk.ts', { ...frontdeskOptions('embedded', platformsUrl), store: `sqlite:${file}` }, 600_000);
}

async function staffBroadcast(base: string, day: string, dryRun: boolean): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/staff/v1/broadcasts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.staffToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ facilityId: FACILITY, date: day, kind: 'reminder', dryRun }),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, ms: since(t0), body };
}

async function broadcast(platforms: Child): Promise<Table> {
  const count = Math.round(100_000 * SETTINGS.scale);
  const dir = tempDir('broadcast');
  const file = join(dir, 'frontdesk.sqlite');
  const day = dayAhead(3);
  const rows: string[][] = [];
  const notes: string[] = [];
  const targets: Target[] = [];
  try {
    const t0 = performance.now();
    const seeded = await seedBroadcastDay(file, count, day);
    notes.push(`generated ${int(count)} contacts + appointments on ${day} (${int(seeded.rows + seeded.templateRows)} rows) in ${secs(since(t0) / 1000)}; file ${mb(fileBytes(file))}`);
    const fd = await startOn(file, platforms.url);
    try {
      const idle = await fd.rss();
      const dry = await staffBroadcast(fd.url, day, true);
      const dryPeak = peakRss(fd.pid);
      rows.push(['dry run (counts per channel)', String(dry.status), int(Number(dry.body.recipients)), ms(dry.ms, 0), mb(idle), mb(dryPeak), '< 10 s, < 300 MB', verdict(dry.status === 200 ? dry.ms < 10_000 && (dryPeak ?? 0) < 300 * 1024 * 1024 : false)]);
      targets.push({ figure: `broadcast dry run of ${int(Number(dry.body.recipients))}: ${ms(dry.ms, 0)}, peak RSS ${mb(dryPeak)}`, target: '< 10 s, < 300 MB', met: rows.at(-1)!.at(-1)! });
      const real = await staffBroadcast(fd.url, day, false);
      const realPeak = peakRss(fd.pid);
      rows.push(['planned and queued (202)', String(real.status), int(Number(real.body.recipients)), ms(real.ms, 0), '', mb(realPeak), '< 10 s, < 300 MB', verdict(real.status === 202 ? real.ms < 10_000 && (realPeak ?? 0) < 300 * 1024 * 1024 : false)]);
      targets.push({ figure: `broadcast planned and queued: ${ms(real.ms, 0)}, peak RSS ${mb(realPeak)}`, target: '< 10 s, < 300 MB', met: rows.at(-1)!.at(-1)! });
      await sleep(3000);
      const sent = await platforms.call<{ graph: number }>('counts');
      rows.push(['… 3 s of the broadcast job', '', '', '', '', mb(peakRss(fd.pid)), '', '']);
      notes.push(`peak RSS is the process's high-water mark (VmHWM) so far; the platform stub had ${int(sent.graph)} Messenger calls in total by then (sends are rate-limited to 1000/s)`);
    } finally {
      await fd.kill();
    }
  } catch (e) {
    rows.push([`failed: ${(e as Error).message.slice(0, 200)}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    title: `5a. Broadcast of ${int(count)} recipients (one day), started through the staff API`,
    columns: ['step', 'HTTP', 'recipients', 'time', 'RSS before', 'peak RSS', 'target', 'met?'],
    rows,
    notes,
    targets,
  };
}

/** a real conversation (two turns through a frontdesk child) on a fresh store: its contact and psid */
async function templateConversation(file: string, platforms: Child): Promise<{ contactId: string; psid: string }> {
  const fd = await startOn(file, platforms.url);
  try {
    const r = await platforms.call<TurnsResult>('turns', { target: fd.url, senders: 1, concurrency: 1, timeoutMs: 30_000 });
    if (r.failed) throw new Error(`template conversation failed: ${r.failures.join('; ')}`);
    await sleep(1000);
  } finally {
    await fd.stop(15_000);
  }
  const store = await openStore(`sqlite:${file}`, { namespace: 'fd' });
  try {
    const [c] = await store.contacts.list(FACILITY);
    if (!c?.channels?.messenger?.userId) throw new Error('the template conversation left no Messenger contact');
    return { contactId: c.id, psid: c.channels?.messenger?.userId };
  } finally {
    await store.close();
  }
}

interface Measured {
  startMs: number;
  rss: number;
  peak?: number;
}

async function measureInstance(file: string, platformsUrl: string): Promise<Measured> {
  const t0 = performance.now();
  const fd = await startOn(file, platformsUrl);
  const startMs = since(t0);
  try {
    await sleep(3000);
    return { startMs, rss: await fd.rss(), ...(peakRss(fd.pid) !== undefined ? { peak: peakRss(fd.pid)! } : {}) };
  } finally {
    await fd.stop(10_000);
  }
}

async function stored(platforms: Child): Promise<Table[]> {
  const conversations = Math.round(1_000_000 * SETTINGS.scale);
  const appointments = Math.round(200_000 * SETTINGS.scale);
  const dir = tempDir('stored');
  const file = join(dir, 'frontdesk.sqlite');
  const emptyDir = tempDir('empty');
  const rows: string[][] = [];
  const sizes: string[][] = [];
  const notes: string[] = [];
  const targets: Target[] = [];
  try {
    const t0 = performance.now();
    const { contactId, psid } = await templateConversation(file, platforms);
    // what stays of a conversation after the short retentions (turn record 7 d, inbox, jobs): contact, its claim and index, the snapshot
    const keep = (r: { row: Record<string, unknown> }) => Object.values(r.row).some((v) => typeof v === 'string' && /^fd:(contact:|contact-ch:|contacts:|conv:)/.test(v));
    let template = captureRows(file, [contactId, psid], keep);
    if (!template.some((r) => Object.values(r.row).some((v) => typeof v === 'string' && v.startsWith('fd:conv:')))) {
      // the key layout changed: take every row the conversation left
      template = captureRows(file, [contactId, psid]);
      notes.push('no conv: row found: every row holding the template contact or psid is copied');
    }
    const before = fileBytes(file);
    const t1 = performance.now();
    const written = seedConversations(file, template, [contactId, psid], conversations);
    const convMs = since(t1);
    const afterConv = fileBytes(file);
    const t2 = performance.now();
    const apptRows = await seedAppointments(file, contactId, appointments, 100);
    const apptMs = since(t2);
    const total = fileBytes(file);
    notes.push(`generation: template conversation ${secs((t1 - t0) / 1000)}; ${int(conversations)} conversations (${template.length} rows each, ${int(written)} rows) in ${secs(convMs / 1000)}; ${int(appointments)} appointments over 100 days (${int(apptRows)} rows) in ${secs(apptMs / 1000)}`);
    notes.push('a stored conversation here = the rows a real two-turn conversation left under contact:, contact-ch:, contacts: and conv: (its turn record, inbox, jobs and send records expire sooner)');
    const perConv = (afterConv - before) / Math.max(1, conversations - 1);
    sizes.push([int(conversations), int(appointments), mb(total), `${int(perConv)} B`, `${int(template.reduce((n, r) => n + JSON.stringify(r.row).length, 0))} B`]);

    const empty = await measureInstance(join(emptyDir, 'frontdesk.sqlite'), platforms.url);
    const full = await measureInstance(file, platforms.url);
    const growth = full.rss / empty.rss - 1;
    rows.push(['empty store', '0', '0', secs(empty.startMs / 1000), mb(empty.rss), mb(empty.peak), '', '', '']);
    rows.push([`${int(conversations)} conversations`, int(conversations), int(appointments), secs(full.startMs / 1000), mb(full.rss), mb(full.peak), `${(growth * 100).toFixed(1)} %`, '≤ +20 %', verdict(growth <= 0.2)]);
    targets.push({ figure: `RSS with ${int(conversations)} conversations ${mb(full.rss)} vs empty ${mb(empty.rss)} (${(growth * 100).toFixed(1)} %)`, target: '≤ +20 %', met: verdict(growth <= 0.2) });
    notes.push('RSS read in the child 3 s after it listens, after a forced GC; peak = VmHWM since start (start-up included)');
  } catch (e) {
    rows.push([`failed: ${(e as Error).message.slice(0, 200)}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      title: '5b. RSS of an instance on a large store (SQLite) against one on an empty store',
      columns: ['store', 'conversations', 'appointments', 'start-up', 'RSS', 'peak RSS', 'vs empty', 'target', 'met?'],
      rows,
      notes,
      targets,
    },
    {
      title: '5c. Stored bytes per conversation (SQLite file)',
      columns: ['conversations', 'appointments', 'file size', 'bytes / conversation', 'template rows (JSON)'],
      rows: sizes,
    },
  ];
}

export async function scaleSection(platforms: Child): Promise<Table[]> {
  process.stderr.write('bench: scale, broadcast…\n');
  const a = await broadcast(platforms);
  process.stderr.write('bench: scale, stored conversations…\n');
  return [a, ...(await stored(platforms))];
}
