/**
 * Reads what a backend physically holds under a namespace, with its own client (not the code under
 * test): every kv row/key with its value, every sorted-set member, every claim. Expired rows that are
 * still on disk count: they are still held.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface RawEntry {
  kind: 'kv' | 'zset' | 'claim' | 'lock';
  /** without the namespace */
  key: string;
  /** the value, the member or the owner */
  text: string;
}

export async function rawScan(url: string, namespace: string): Promise<RawEntry[]> {
  if (url.startsWith('sqlite:')) return sqliteScan(url.slice('sqlite:'.length).replace(/^\/\//, ''), namespace);
  if (url.startsWith('redis')) return redisScan(url, namespace);
  return postgresScan(url, namespace);
}

function sqliteScan(path: string, namespace: string): RawEntry[] {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const p = `${namespace}:`;
    const out: RawEntry[] = [];
    const under = (k: string) => k.startsWith(p);
    for (const r of db.prepare<[], { key: string; value: string }>('SELECT key, value FROM kv').all()) if (under(r.key)) out.push({ kind: 'kv', key: r.key.slice(p.length), text: r.value });
    for (const r of db.prepare<[], { name: string; member: string }>('SELECT name, member FROM zsets').all()) if (under(r.name)) out.push({ kind: 'zset', key: r.name.slice(p.length), text: r.member });
    for (const r of db.prepare<[], { key: string; owner: string }>('SELECT key, owner FROM claims').all()) if (under(r.key)) out.push({ kind: 'claim', key: r.key.slice(p.length), text: r.owner });
    return out;
  } finally {
    db.close();
  }
}

async function postgresScan(url: string, namespace: string): Promise<RawEntry[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const like = `${namespace.replace(/[\\%_]/g, '\\$&')}:%`;
    const p = namespace.length + 1;
    const out: RawEntry[] = [];
    for (const r of (await client.query<{ key: string; value: string }>('SELECT key, value FROM fd_kv WHERE key LIKE $1', [like])).rows) out.push({ kind: 'kv', key: r.key.slice(p), text: r.value });
    for (const r of (await client.query<{ name: string; member: string }>('SELECT name, member FROM fd_zsets WHERE name LIKE $1', [like])).rows) out.push({ kind: 'zset', key: r.name.slice(p), text: r.member });
    for (const r of (await client.query<{ key: string; owner: string }>('SELECT key, owner FROM fd_claims WHERE key LIKE $1', [like])).rows) out.push({ kind: 'claim', key: r.key.slice(p), text: r.owner });
    return out;
  } finally {
    await client.end();
  }
}

async function redisScan(url: string, namespace: string): Promise<RawEntry[]> {
  const redis = new Redis(url);
  try {
    const out: RawEntry[] = [];
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    for (const k of new Set(keys)) {
      const type = await redis.type(k);
      const rest = k.slice(namespace.length + 1);
      if (rest.startsWith(':')) out.push({ kind: 'kv', key: rest.slice(1), text: (await redis.get(k)) ?? '' });
      else if (rest.startsWith('z:') && type === 'zset') for (const m of await redis.zrange(k, 0, -1)) out.push({ kind: 'zset', key: rest.slice(2), text: m });
      else if (rest.startsWith('c:')) out.push({ kind: 'claim', key: rest.slice(2), text: (await redis.get(k)) ?? '' });
      else if (rest.startsWith('lock:')) out.push({ kind: 'lock', key: rest.slice(5), text: (await redis.get(k)) ?? '' });
      else out.push({ kind: 'kv', key: rest, text: type === 'string' ? ((await redis.get(k)) ?? '') : `(${type})` });
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** entries whose key, value or member contains any of `needles` (case-insensitive), as `kind key` lines */
export function holding(entries: RawEntry[], needles: string[]): string[] {
  const low = needles.filter(Boolean).map((n) => n.toLowerCase());
  return entries.filter((e) => low.some((n) => e.key.toLowerCase().includes(n) || e.text.toLowerCase().includes(n))).map((e) => `${e.kind} ${e.key}`);
}
