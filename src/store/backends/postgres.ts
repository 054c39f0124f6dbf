import KeyvPostgres from '@keyv/postgres';
import { Keyv } from 'keyv';
import pg from 'pg';
import { StoreError } from '../errors.js';
import type { Indexes } from '../types.js';
import { KeyvValues, finiteScore } from './keyv-values.js';
import { SCAN_PAGE, type NamespacedBackend } from './namespaced.js';
import { SERIAL_SCHEMA, postgresSerialLog } from './serial-postgres.js';

const KV_TABLE = 'fd_kv';
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Tables are created under a transaction-scoped advisory lock: concurrent `CREATE TABLE IF NOT
 * EXISTS` from parallel openers can otherwise fail on Postgres' catalog unique index.
 * The keyv table is created here too, in the shape @keyv/postgres expects, for the same reason, but
 * with a TEXT key: @keyv/postgres' own VARCHAR(255) refuses a longer key (a Messenger id inside a
 * key family can be long). A table made by an older version is altered at open (`MIGRATE_KEY`).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${KV_TABLE} (key TEXT PRIMARY KEY, value TEXT);
  CREATE TABLE IF NOT EXISTS fd_zsets (name TEXT NOT NULL, member TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, PRIMARY KEY (name, member));
  CREATE INDEX IF NOT EXISTS fd_zsets_by_score ON fd_zsets (name, score, member);
  CREATE TABLE IF NOT EXISTS fd_claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT);
`;

/** Sorted sets and claims as rows; claims use the database clock so instances agree on expiry. */
class PostgresIndexes implements Indexes {
  constructor(private readonly pool: pg.Pool, private readonly prefix: string) {}

  async add(set: string, member: string, score = 0): Promise<void> {
    await this.pool.query(
      'INSERT INTO fd_zsets (name, member, score) VALUES ($1, $2, $3) ON CONFLICT (name, member) DO UPDATE SET score = EXCLUDED.score',
      [this.prefix + set, member, finiteScore(score)],
    );
  }
  async remove(set: string, member: string): Promise<void> {
    await this.pool.query('DELETE FROM fd_zsets WHERE name = $1 AND member = $2', [this.prefix + set, member]);
  }
  async members(set: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ member: string }>(
      'SELECT member FROM fd_zsets WHERE name = $1 ORDER BY score, member',
      [this.prefix + set],
    );
    return rows.map((r) => r.member);
  }
  async range(set: string, min: number, max: number, limit?: number): Promise<{ member: string; score: number }[]> {
    const { rows } = await this.pool.query<{ member: string; score: number }>(
      'SELECT member, score FROM fd_zsets WHERE name = $1 AND score >= $2 AND score <= $3 ORDER BY score, member LIMIT $4',
      [this.prefix + set, finiteScore(min), finiteScore(max), limit ?? null],
    );
    return rows.map((r) => ({ member: r.member, score: Number(r.score) }));
  }
  async claim(key: string, owner: string, ttlMs?: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO fd_claims (key, owner, expires_at)
       VALUES ($1, $2, CASE WHEN $3::bigint IS NULL THEN NULL ELSE ${NOW_MS} + $3::bigint END)
       ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE fd_claims.expires_at IS NOT NULL AND fd_claims.expires_at <= ${NOW_MS}`,
      [this.prefix + key, owner, ttlMs ? Math.ceil(ttlMs) : null],
    );
    return rowCount === 1;
  }
  async claimedBy(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ owner: string }>(
      `SELECT owner FROM fd_claims WHERE key = $1 AND (expires_at IS NULL OR expires_at > ${NOW_MS})`,
      [this.prefix + key],
    );
    return rows[0]?.owner;
  }
  async release(key: string, owner: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM fd_claims WHERE key = $1 AND owner = $2 AND (expires_at IS NULL OR expires_at > ${NOW_MS})`,
      [this.prefix + key, owner],
    );
    return (rowCount ?? 0) > 0;
  }
}

/**
 * @keyv/postgres (2.x) keeps ONE module-wide pg pool per process: opening a second URL silently swaps it (the
 * first is never ended), `disconnect()` ends it for every store, and it has no 'error' listener, so an idle
 * client losing its connection (a Postgres restart, a failover) would be an uncaught error. Its queries run
 * on this backend's own pool instead: one pool per backend, with a listener, ended by `close()`.
 */
class OwnPoolKeyvPostgres extends KeyvPostgres {
  constructor(private readonly ownPool: pg.Pool) {
    super({ uri: 'postgresql://own-pool', table: KV_TABLE });
  }
  // read lazily: the base constructor calls connect() before `ownPool` is assigned, and queries only later
  override async connect(): Promise<(sql: string, values?: unknown[]) => Promise<unknown[]>> {
    return async (sql, values) => (await this.ownPool.query(sql, values as unknown[])).rows;
  }
  override async disconnect(): Promise<void> {}
}

/** key columns that are not TEXT yet (a table created with VARCHAR(255) before keys became TEXT) */
const NARROW_KEYS = `
  SELECT table_name, column_name FROM information_schema.columns
  WHERE table_schema = current_schema() AND data_type <> 'text'
    AND ((table_name = '${KV_TABLE}' AND column_name = 'key') OR (table_name = 'fd_zsets' AND column_name IN ('name', 'member')) OR (table_name = 'fd_claims' AND column_name = 'key'))`;

async function ensureSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('frontdesk-store-schema'))");
    await client.query(SCHEMA);
    await client.query(SERIAL_SCHEMA);
    const { rows } = await client.query<{ table_name: string; column_name: string }>(NARROW_KEYS);
    for (const r of rows) await client.query(`ALTER TABLE ${pg.escapeIdentifier(r.table_name)} ALTER COLUMN ${pg.escapeIdentifier(r.column_name)} TYPE TEXT`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** a LIKE pattern for keys starting with `prefix + p` */
const likePrefix = (prefix: string, p: string) => `${(prefix + p).replace(/[\\%_]/g, '\\$&')}%`;

/** rows of one table under `prefix + p`, in pages ordered bytewise (COLLATE "C": the cursor must not depend on the locale) */
async function* pages<T extends Record<string, unknown>>(pool: pg.Pool, prefix: string, sql: string, p: string, col: string, extra: unknown[] = []): AsyncIterable<T> {
  let after = '';
  for (;;) {
    const { rows } = await pool.query<T>(sql, [likePrefix(prefix, p), after, SCAN_PAGE, ...extra]);
    for (const r of rows) yield r;
    if (rows.length < SCAN_PAGE) return;
    after = String(rows[rows.length - 1]![col]);
  }
}

/** expired claims and kv rows under `prefix`, deleted; returns the rows deleted */
async function purgeExpired(pool: pg.Pool, prefix: string): Promise<number> {
  const claims = await pool.query(`DELETE FROM fd_claims WHERE key LIKE $1 AND expires_at IS NOT NULL AND expires_at <= ${NOW_MS}`, [likePrefix(prefix, '')]);
  // @keyv/postgres keeps the expiry inside the value (keyv's JSON), so expired rows are found by reading them
  let deleted = claims.rowCount ?? 0;
  const now = Date.now();
  const sql = `SELECT key, value FROM ${KV_TABLE} WHERE key LIKE $1 AND key COLLATE "C" > $2 AND value LIKE '%"expires":%' ORDER BY key COLLATE "C" LIMIT $3`;
  const expired: { key: string; value: string }[] = [];
  for await (const r of pages<{ key: string; value: string }>(pool, prefix, sql, '', 'key')) {
    try {
      const { expires } = JSON.parse(r.value) as { expires?: unknown };
      if (typeof expires === 'number' && expires <= now) expired.push(r);
    } catch {
      // not keyv's JSON: not ours to judge
    }
  }
  for (let i = 0; i < expired.length; i += SCAN_PAGE) {
    const batch = expired.slice(i, i + SCAN_PAGE);
    // only rows still holding the expired value: one written again meanwhile stays
    const r = await pool.query(
      `DELETE FROM ${KV_TABLE} k USING unnest($1::text[], $2::text[]) AS x(key, value) WHERE k.key = x.key AND k.value = x.value`,
      [batch.map((e) => e.key), batch.map((e) => e.value)],
    );
    deleted += r.rowCount ?? 0;
  }
  return deleted;
}

/** everything of one namespace: kv rows, sets, claims and the serial log's rows */
async function clearNamespace(pool: pg.Pool, prefix: string, namespace: string): Promise<void> {
  const like = likePrefix(prefix, '');
  await pool.query(`DELETE FROM ${KV_TABLE} WHERE key LIKE $1`, [like]);
  await pool.query('DELETE FROM fd_zsets WHERE name LIKE $1', [like]);
  await pool.query('DELETE FROM fd_claims WHERE key LIKE $1', [like]);
  for (const table of ['fd_serial_seen', 'fd_serial_items', 'fd_serial_keys', 'fd_serial_dead']) await pool.query(`DELETE FROM ${table} WHERE ns = $1`, [namespace]);
}

/** a pool whose schema is in place, or a StoreError('unreachable') */
async function connect(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => {
    // an idle client lost its connection; the pool replaces it and the next query reports failures
  });
  try {
    await ensureSchema(pool);
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new StoreError('unreachable', 'postgres is not reachable or the schema could not be created', { cause });
  }
  return pool;
}

function openKeyv(pool: pg.Pool, namespace: string): Keyv {
  const keyv = new Keyv({ store: new OwnPoolKeyvPostgres(pool), namespace, throwOnErrors: true });
  keyv.on('error', () => {
    // thrown to the caller as well (throwOnErrors)
  });
  return keyv;
}

export async function openPostgresBackend(url: string, namespace: string): Promise<NamespacedBackend> {
  const pool = await connect(url);
  const keyv = openKeyv(pool, namespace);
  const prefix = `${namespace}:`;
  let closed = false;
  return {
    kind: 'postgres',
    namespace,
    kv: new KeyvValues(keyv),
    indexes: new PostgresIndexes(pool, prefix),
    serial: postgresSerialLog(pool, namespace),
    async *scanKeys(p) {
      const sql = `SELECT key FROM ${KV_TABLE} WHERE key LIKE $1 AND key COLLATE "C" > $2 ORDER BY key COLLATE "C" LIMIT $3`;
      for await (const r of pages<{ key: string }>(pool, prefix, sql, p, 'key')) yield r.key.slice(prefix.length);
    },
    async *scanSets(p) {
      const sql = 'SELECT DISTINCT name COLLATE "C" AS name FROM fd_zsets WHERE name LIKE $1 AND name COLLATE "C" > $2 ORDER BY 1 LIMIT $3';
      for await (const r of pages<{ name: string }>(pool, prefix, sql, p, 'name')) yield r.name.slice(prefix.length);
    },
    async *scanClaims(p) {
      const sql = `SELECT key, owner FROM fd_claims WHERE key LIKE $1 AND key COLLATE "C" > $2 AND (expires_at IS NULL OR expires_at > ${NOW_MS}) ORDER BY key COLLATE "C" LIMIT $3`;
      for await (const r of pages<{ key: string; owner: string }>(pool, prefix, sql, p, 'key')) yield { key: r.key.slice(prefix.length), owner: r.owner };
    },
    purgeExpired: () => purgeExpired(pool, prefix),
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    clearNamespace: () => clearNamespace(pool, prefix, namespace),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
