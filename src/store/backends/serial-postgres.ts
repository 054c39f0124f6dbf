import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SerialDeadItem, SerialHead, SerialItemInput, SerialLog, SerialStats } from '../types.js';

const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

export const SERIAL_SCHEMA = `
  CREATE TABLE IF NOT EXISTS fd_serial_seen (ns TEXT NOT NULL, id TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (ns, id));
  CREATE INDEX IF NOT EXISTS fd_serial_seen_expiry ON fd_serial_seen (expires_at);
  CREATE TABLE IF NOT EXISTS fd_serial_items (seq BIGSERIAL PRIMARY KEY, ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, lane SMALLINT NOT NULL, enqueued_at BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
  CREATE INDEX IF NOT EXISTS fd_serial_items_fifo ON fd_serial_items (ns, queue, key, seq);
  CREATE TABLE IF NOT EXISTS fd_serial_keys (ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, lane SMALLINT NOT NULL, ready_at BIGINT NOT NULL, head_at BIGINT NOT NULL, token TEXT, lease_until BIGINT, PRIMARY KEY (ns, queue, key));
  CREATE INDEX IF NOT EXISTS fd_serial_keys_ready ON fd_serial_keys (ns, queue, lane, ready_at);
  CREATE TABLE IF NOT EXISTS fd_serial_dead (ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, payload TEXT, attempts INTEGER NOT NULL, error TEXT NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX IF NOT EXISTS fd_serial_dead_by_queue ON fd_serial_dead (ns, queue, at);
`;

interface HeadRow {
  key: string;
  seq: string;
  id: string;
  payload: string;
  lane: number;
  enqueued_at: string;
  attempts: number;
}

type Db = pg.PoolClient | pg.Pool;

async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

const headOf = async (c: Db, ns: string, queue: string, key: string) =>
  (await c.query<HeadRow>('SELECT key, seq, id, payload, lane, enqueued_at, attempts FROM fd_serial_items WHERE ns = $1 AND queue = $2 AND key = $3 ORDER BY seq LIMIT 1', [ns, queue, key])).rows[0];

/** locks the key's row when `h` still holds its lease */
const hold = async (c: pg.PoolClient, ns: string, h: SerialHead) =>
  ((await c.query('SELECT 1 FROM fd_serial_keys WHERE ns = $1 AND queue = $2 AND key = $3 AND token = $4 FOR UPDATE', [ns, h.queue, h.key, h.token])).rowCount ?? 0) === 1;

/** the head moved on: the key is ready for its next item, or gone when there is none */
async function advance(c: pg.PoolClient, ns: string, queue: string, key: string): Promise<void> {
  const next = await headOf(c, ns, queue, key);
  if (next) await c.query(`UPDATE fd_serial_keys SET lane = $4, ready_at = ${NOW}, head_at = $5, token = NULL, lease_until = NULL WHERE ns = $1 AND queue = $2 AND key = $3`, [ns, queue, key, next.lane, next.enqueued_at]);
  else await c.query('DELETE FROM fd_serial_keys WHERE ns = $1 AND queue = $2 AND key = $3', [ns, queue, key]);
}

const isHead = (row: HeadRow | undefined, h: SerialHead): row is HeadRow => row?.id === h.id;

/** de-duplicate + append in one statement: the ledger row, the item, and its key (kept as it is when it exists) */
async function push(pool: pg.Pool, ns: string, queue: string, item: SerialItemInput, ttl: number): Promise<boolean> {
  const { rows } = await pool.query<{ n: string }>(
    `WITH seen AS (
       INSERT INTO fd_serial_seen (ns, id, expires_at) VALUES ($1, $2, ${NOW} + $3::bigint)
       ON CONFLICT (ns, id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE fd_serial_seen.expires_at <= ${NOW}
       RETURNING 1
     ), item AS (
       INSERT INTO fd_serial_items (ns, queue, key, id, payload, lane, enqueued_at) SELECT $1, $4, $5, $2, $6, $7, ${NOW} FROM seen RETURNING enqueued_at
     ), k AS (
       INSERT INTO fd_serial_keys (ns, queue, key, lane, ready_at, head_at) SELECT $1, $4, $5, $7, enqueued_at, enqueued_at FROM item
       ON CONFLICT (ns, queue, key) DO UPDATE SET lane = fd_serial_keys.lane
     )
     SELECT count(*) AS n FROM item`,
    [ns, item.id, Math.ceil(ttl), queue, item.key, item.payload, item.lane],
  );
  return Number(rows[0]?.n ?? 0) === 1;
}

async function claim(pool: pg.Pool, ns: string, queue: string, max: number, leaseMs: number): Promise<SerialHead[]> {
  const base = randomUUID();
  const { rows: leased } = await pool.query<{ key: string; token: string }>(
    `WITH c AS (
       SELECT key FROM fd_serial_keys WHERE ns = $1 AND queue = $2 AND ready_at <= ${NOW} AND (lease_until IS NULL OR lease_until <= ${NOW})
       ORDER BY lane, ready_at LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     UPDATE fd_serial_keys k SET token = $4 || ':' || k.key, lease_until = ${NOW} + $5::bigint FROM c
     WHERE k.ns = $1 AND k.queue = $2 AND k.key = c.key RETURNING k.key, k.token`,
    [ns, queue, max, base, Math.ceil(leaseMs)],
  );
  if (leased.length === 0) return [];
  const { rows } = await pool.query<HeadRow>(
    `SELECT DISTINCT ON (key) key, seq, id, payload, lane, enqueued_at, attempts FROM fd_serial_items
     WHERE ns = $1 AND queue = $2 AND key = ANY($3::text[]) ORDER BY key, seq`,
    [ns, queue, leased.map((l) => l.key)],
  );
  const heads = new Map(rows.map((r) => [r.key, r]));
  const out: SerialHead[] = [];
  for (const l of leased) {
    const h = heads.get(l.key);
    if (h) out.push({ queue, key: l.key, token: l.token, id: h.id, payload: h.payload, lane: h.lane as 0 | 1 | 2, enqueuedAt: Number(h.enqueued_at), attempts: h.attempts });
    else await pool.query('DELETE FROM fd_serial_keys k WHERE ns = $1 AND queue = $2 AND key = $3 AND token = $4 AND NOT EXISTS (SELECT 1 FROM fd_serial_items i WHERE i.ns = k.ns AND i.queue = k.queue AND i.key = k.key)', [ns, queue, l.key, l.token]);
  }
  return out;
}

async function complete(c: pg.PoolClient, ns: string, h: SerialHead): Promise<boolean> {
  if (!(await hold(c, ns, h))) return false;
  const row = await headOf(c, ns, h.queue, h.key);
  if (isHead(row, h)) await c.query('DELETE FROM fd_serial_items WHERE seq = $1', [row.seq]);
  await advance(c, ns, h.queue, h.key);
  return true;
}

async function retry(c: pg.PoolClient, ns: string, h: SerialHead, delayMs: number, error: string): Promise<boolean> {
  if (!(await hold(c, ns, h))) return false;
  const row = await headOf(c, ns, h.queue, h.key);
  if (isHead(row, h)) await c.query('UPDATE fd_serial_items SET attempts = attempts + 1, last_error = $2 WHERE seq = $1', [row.seq, error]);
  await c.query(`UPDATE fd_serial_keys SET ready_at = ${NOW} + $4::bigint, token = NULL, lease_until = NULL WHERE ns = $1 AND queue = $2 AND key = $3`, [ns, h.queue, h.key, Math.ceil(delayMs)]);
  return true;
}

async function bury(c: pg.PoolClient, ns: string, h: SerialHead, error: string, keepPayload: boolean): Promise<boolean> {
  if (!(await hold(c, ns, h))) return false;
  const row = await headOf(c, ns, h.queue, h.key);
  if (isHead(row, h)) {
    await c.query(`INSERT INTO fd_serial_dead (ns, queue, key, id, payload, attempts, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, ${NOW})`, [ns, h.queue, h.key, h.id, keepPayload ? row.payload : null, row.attempts + 1, error]);
    await c.query('DELETE FROM fd_serial_items WHERE seq = $1', [row.seq]);
  }
  await advance(c, ns, h.queue, h.key);
  return true;
}

async function stats(pool: pg.Pool, ns: string, queue: string): Promise<SerialStats> {
  const { rows } = await pool.query<{ depth: string; oldest: string | null; leased: string; dead: string }>(
    `SELECT (SELECT count(*) FROM fd_serial_items WHERE ns = $1 AND queue = $2) AS depth,
            (SELECT min(head_at) FROM fd_serial_keys WHERE ns = $1 AND queue = $2) AS oldest,
            (SELECT count(*) FROM fd_serial_keys WHERE ns = $1 AND queue = $2 AND lease_until > ${NOW}) AS leased,
            (SELECT count(*) FROM fd_serial_dead WHERE ns = $1 AND queue = $2) AS dead`,
    [ns, queue],
  );
  const r = rows[0]!;
  return { depth: Number(r.depth), ...(r.oldest !== null ? { oldestAt: Number(r.oldest) } : {}), leased: Number(r.leased), dead: Number(r.dead) };
}

/**
 * The serial log as Postgres rows, timed by the database clock. A push is one statement; the other
 * steps are short transactions that lock the key's row first, so a push to that key (its upsert takes
 * the same row lock) is either wholly before or wholly after them. Claims skip rows locked by another
 * instance's claim (`FOR UPDATE SKIP LOCKED`).
 */
export function postgresSerialLog(pool: pg.Pool, ns: string): SerialLog {
  return {
    push: (queue, item, ttl) => push(pool, ns, queue, item, ttl),
    claim: (queue, max, leaseMs) => claim(pool, ns, queue, max, leaseMs),
    complete: (h) => tx(pool, (c) => complete(c, ns, h)),
    retry: (h, delayMs, error) => tx(pool, (c) => retry(c, ns, h, delayMs, error)),
    bury: (h, error, keepPayload) => tx(pool, (c) => bury(c, ns, h, error, keepPayload)),

    async renew(h, leaseMs) {
      const r = await pool.query(`UPDATE fd_serial_keys SET lease_until = ${NOW} + $5::bigint WHERE ns = $1 AND queue = $2 AND key = $3 AND token = $4`, [ns, h.queue, h.key, h.token, Math.ceil(leaseMs)]);
      return r.rowCount === 1;
    },

    stats: (queue) => stats(pool, ns, queue),

    seen: async (id) => ((await pool.query(`SELECT 1 FROM fd_serial_seen WHERE ns = $1 AND id = $2 AND expires_at > ${NOW}`, [ns, id])).rowCount ?? 0) === 1,

    async dead(queue, limit = 100) {
      const { rows } = await pool.query<Omit<SerialDeadItem, 'at'> & { at: string }>('SELECT queue, key, id, payload, attempts, error, at FROM fd_serial_dead WHERE ns = $1 AND queue = $2 ORDER BY at DESC LIMIT $3', [ns, queue, limit]);
      return rows.map((r) => ({ ...r, at: Number(r.at) }));
    },

    async purge(deadBefore) {
      const seen = await pool.query(`DELETE FROM fd_serial_seen WHERE ns = $1 AND expires_at <= ${NOW}`, [ns]);
      const dead = await pool.query('DELETE FROM fd_serial_dead WHERE ns = $1 AND at < $2', [ns, deadBefore]);
      return (seen.rowCount ?? 0) + (dead.rowCount ?? 0);
    },
  };
}
