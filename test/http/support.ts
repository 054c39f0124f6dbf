/**
 * Helpers for the inbound-edge tests (test/http, test/e2e/edges-*, test/fuzz): a config with the channels
 * asked for, raw HTTP requests (any header, any body, a declared length with no body), a /healthz watcher
 * that says how long the event loop kept callers waiting, and a snapshot of everything in the SQLite store.
 */
import { request as httpRequest } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../../src/config/schema.js';
import { PAGE_ID, SECRETS, SMS_FROM, testConfig } from '../support/frontdesk.js';

export type ChannelKey = 'messenger' | 'viber' | 'sms';

/** The test facility with only `channels`, with or without publicUrl (SMS needs it: leave SMS out without it). */
export function edgeConfig(platformsUrl: string, opts: { channels?: ChannelKey[]; publicUrl?: boolean; trustProxy?: boolean } = {}): Config {
  const want = new Set(opts.channels ?? ['messenger', 'viber', 'sms']);
  const channels = {
    ...(want.has('messenger') ? { messenger: { pageId: PAGE_ID, pageAccessToken: SECRETS.pageToken, appSecret: SECRETS.appSecret, verifyToken: SECRETS.verifyToken } } : {}),
    ...(want.has('viber') ? { viber: { authToken: SECRETS.viberToken, name: "St Luke's" } } : {}),
    ...(want.has('sms') ? { sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM } } : {}),
  };
  return testConfig({
    platformsUrl,
    facility: { channels },
    extra: { ...(opts.publicUrl === false ? { publicUrl: undefined } : {}), ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}) },
  });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/**
 * One request with node:http, so headers and bodies are exactly what the test says. `declaredLength`
 * sends that Content-Length and only `body` (none at all when it is omitted): the server must answer
 * without waiting for the rest. `chunked` sends the body without a length.
 */
export function send(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; declaredLength?: number; chunked?: boolean },
): Promise<RawAnswer> {
  const url = new URL(base); // the path is sent as written (no dot-segment or percent normalization)
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.declaredLength !== undefined) headers['content-length'] = String(opts.declaredLength);
  else if (opts.chunked) headers['transfer-encoding'] = 'chunked';
  else if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: opts.path, method: opts.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.declaredLength !== undefined) {
      // the declared body never (fully) comes: an answer can only be given without reading it
      if (body) req.write(body);
      req.flushHeaders();
      return;
    }
    if (opts.chunked && body) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
    }
    req.end(opts.chunked ? undefined : body);
  });
}

/** Polls /healthz one request after another until stopped; `max` is the longest a request waited (ms). */
export function watchHealth(base: string) {
  let running = true;
  let max = 0;
  let count = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/healthz`);
        await res.arrayBuffer();
        if (res.status !== 200) failures += 1;
      } catch {
        failures += 1;
      }
      max = Math.max(max, performance.now() - t);
      count += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { max, count, failures };
    },
  };
}

/** While `fn` runs, /healthz keeps being answered; returns fn's result and the longest wait. */
export async function whileWatchingHealth<T>(base: string, fn: () => Promise<T>): Promise<{ result: T; health: { max: number; count: number; failures: number } }> {
  const watch = watchHealth(base);
  await new Promise((r) => setTimeout(r, 20)); // the watcher is polling before the attack starts
  try {
    const result = await fn();
    return { result, health: await watch.stop() };
  } catch (e) {
    await watch.stop();
    throw e;
  }
}

const HEARTBEAT = /(^|:)jobs:alive:/;

/**
 * Every row of the store's SQLite file (values, sorted sets, claims), one string per row, sorted. Read
 * through a second, read-only connection (the service's own is in WAL mode, so this sees committed data).
 */
export function storeRows(config: Config): string[] {
  const m = /^sqlite:(?:\/\/)?(.+)$/.exec(config.store);
  if (!m?.[1]) throw new Error(`not a SQLite store: ${config.store}`);
  const db = new BetterSqlite3(m[1], { readonly: true, fileMustExist: true });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const rows: string[] = [];
    // a job worker's heartbeat (`jobs:alive:<worker>`) is rewritten every few seconds: its key counts, not its value
    if (tables.has('kv')) for (const r of db.prepare('SELECT key, value FROM kv').all() as { key: string; value: string }[]) rows.push(HEARTBEAT.test(r.key) ? `kv ${r.key}` : `kv ${r.key} = ${r.value}`);
    if (tables.has('zsets')) for (const r of db.prepare('SELECT name, member, score FROM zsets').all() as { name: string; member: string; score: number }[]) rows.push(`zset ${r.name} ${r.member} ${r.score}`);
    return rows.sort();
  } finally {
    db.close();
  }
}

/** Rows added or removed between two snapshots. */
export function rowChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((r) => !b.has(r)), removed: before.filter((r) => !a.has(r)) };
}

/** Jobs due now or running (the embedded queue keeps both in `<ns>:jobs:due`, scored by runAt). */
function jobsDue(rows: readonly string[], now: number): number {
  return rows.filter((r) => {
    const m = /^zset \S*jobs:due \S+ (-?[\d.e+]+)$/.exec(r);
    return m !== null && Number(m[1]) <= now + 1000;
  }).length;
}

/**
 * Waits until the store is quiet: no job due or running (a reply still being sent, say), and two
 * snapshots 200 ms apart equal (start-up work such as the calendar sync is over).
 */
export async function quietStore(config: Config, tries = 150): Promise<string[]> {
  let prev = storeRows(config);
  for (let i = 0; i < tries; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = storeRows(config);
    if (jobsDue(now, Date.now()) === 0 && now.length === prev.length && now.every((r, j) => r === prev[j])) return now;
    prev = now;
  }
  throw new Error('the store never became quiet');
}
