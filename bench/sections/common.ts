/** What the sections share: the run's settings, frontdesk children in each mode, and waiting for a backlog. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type Child } from '../child.js';
import type { FrontdeskServerOptions } from '../servers/config.js';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export const SETTINGS = {
  /** seconds of each timed load run */
  seconds: num('BENCH_SECONDS', 10),
  /** multiplies the scale section's counts (1 = the issue's: 100k broadcast, 1M conversations, 200k appointments) */
  scale: num('BENCH_SCALE', 1),
  connections: num('BENCH_CONNECTIONS', 50),
  redisUrl: process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379',
  /** sections to run (comma-separated: ack,latency,turns,bookings,scale,micro); all by default */
  only: (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

export const wanted = (section: string) => SETTINGS.only.length === 0 || SETTINGS.only.includes(section);

export type Mode = 'embedded' | 'redis';

/** a unique Redis namespace for this run; every key under it is deleted at the end */
const RUN_NS = `fdbench-${Date.now().toString(36)}-${process.pid}`;
let nsCount = 0;
const namespaces: string[] = [];
const dirs: string[] = [];

export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `fd-bench-${label}-`));
  dirs.push(d);
  return d;
}

/** is Redis there? (a reason when not) */
export async function redisProblem(): Promise<string | undefined> {
  const r = new Redis(SETTINGS.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1500, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG' ? undefined : 'no PONG';
  } catch (e) {
    return `Redis at ${SETTINGS.redisUrl} unreachable (${(e as Error).message})`;
  } finally {
    r.disconnect();
  }
}

export function frontdeskOptions(mode: Mode, platformsUrl: string, extra: Partial<FrontdeskServerOptions> = {}): FrontdeskServerOptions {
  if (mode === 'redis') {
    const namespace = `${RUN_NS}-${++nsCount}`;
    namespaces.push(namespace);
    return { store: SETTINGS.redisUrl, redis: SETTINGS.redisUrl, namespace, platformsUrl, sandbox: true, rateLimit: 1000, ...extra };
  }
  return { store: `sqlite:${join(tempDir('store'), 'frontdesk.sqlite')}`, namespace: 'fd', platformsUrl, sandbox: true, rateLimit: 1000, ...extra };
}

export function startFrontdesk(mode: Mode, platformsUrl: string, extra: Partial<FrontdeskServerOptions> = {}): Promise<Child> {
  return startServer(`frontdesk (${mode})`, './servers/frontdesk.ts', frontdeskOptions(mode, platformsUrl, extra));
}

/** runs `fn` against a fresh frontdesk child, which is stopped (killed after a short grace) afterwards */
export async function withFrontdesk<T>(mode: Mode, platformsUrl: string, fn: (fd: Child) => Promise<T>): Promise<T> {
  const fd = await startFrontdesk(mode, platformsUrl);
  try {
    return await fn(fd);
  } finally {
    await fd.stop(3000);
  }
}

const gauge = (text: string, name: string, queue: string): number | undefined => {
  const m = new RegExp(`^${name}\\{[^}]*queue="${queue}"[^}]*\\}\\s+(\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

export interface Settled {
  /** how the wait ended: the inbound queue's depth read 0, the bound passed, or no such metric (a fixed wait) */
  how: 'empty' | 'bound' | 'fixed';
  ms: number;
}

/**
 * Waits (bounded) until the instance has processed its inbound backlog: polls `/metrics` for
 * `frontdesk_queue_depth{queue="inbound"}`; without that gauge, waits `fixedMs`.
 */
export async function settle(base: string, maxMs = 30_000, fixedMs = 2000): Promise<Settled> {
  const t0 = performance.now();
  const until = t0 + maxMs;
  while (performance.now() < until) {
    const text = await fetch(`${base}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const depth = gauge(text, 'frontdesk_queue_depth', 'inbound');
    if (depth === undefined) {
      await new Promise((r) => setTimeout(r, fixedMs));
      return { how: 'fixed', ms: performance.now() - t0 };
    }
    if (depth === 0) return { how: 'empty', ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { how: 'bound', ms: performance.now() - t0 };
}

/** the inbound backlog now: depth and oldest age, when the instance reports them */
export async function backlog(base: string): Promise<{ depth?: number; oldestSeconds?: number }> {
  const text = await fetch(`${base}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const depth = gauge(text, 'frontdesk_queue_depth', 'inbound');
  const oldest = gauge(text, 'frontdesk_queue_oldest_seconds', 'inbound');
  return { ...(depth !== undefined ? { depth } : {}), ...(oldest !== undefined ? { oldestSeconds: oldest } : {}) };
}

/** deletes this run's Redis keys and temporary directories */
export async function cleanup(): Promise<void> {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  if (namespaces.length === 0) return;
  const r = new Redis(SETTINGS.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `*${RUN_NS}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
