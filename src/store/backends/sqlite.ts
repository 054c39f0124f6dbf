import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Keyv } from 'keyv';
import type { Indexes, StoreBackend } from '../types.js';
import { KeyvValues, finiteScore } from './keyv-values.js';
import { SqliteKeyvStore } from './sqlite-keyv-store.js';
import { SCAN_PAGE, type NamespacedBackend } from './namespaced.js';
import { sqliteSerialLog } from './serial-sqlite.js';
import { fairShare } from './fair-share.js';

type Db = BetterSqlite3.Database;

/**
 * Sorted sets and claims as tables of the same SQLite file. better-sqlite3 runs each statement
 * synchronously and SQLite serializes writers on the file, so every operation below is atomic even
 * with several connections (several Store instances, several processes) on one file.
 */
class SqliteIndexes implements Indexes {
  private readonly stmt;

  constructor(db: Db, private readonly prefix: string) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS zsets (name TEXT NOT NULL, member TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (name, member)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS zsets_by_score ON zsets (name, score, member);
      CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID;
    `);
    this.stmt = {
      add: db.prepare<[string, string, number]>(
        'INSERT INTO zsets (name, member, score) VALUES (?, ?, ?) ON CONFLICT(name, member) DO UPDATE SET score = excluded.score',
      ),
      remove: db.prepare<[string, string]>('DELETE FROM zsets WHERE name = ? AND member = ?'),
      members: db.prepare<[string], { member: string }>('SELECT member FROM zsets WHERE name = ? ORDER BY score, member'),
      range: db.prepare<[string, number, number, number], { member: string; score: number }>(
        'SELECT member, score FROM zsets WHERE name = ? AND score >= ? AND score <= ? ORDER BY score, member LIMIT ?',
      ),
      // wins when the key is free or its previous claim has expired
      claim: db.prepare<[string, string, number | null, number]>(
        `INSERT INTO claims (key, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE claims.expires_at IS NOT NULL AND claims.expires_at <= ?`,
      ),
      claimedBy: db.prepare<[string, number], { owner: string }>(
        'SELECT owner FROM claims WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      release: db.prepare<[string, string, number]>(
        'DELETE FROM claims WHERE key = ? AND owner = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      sweep: db.prepare<[number]>('DELETE FROM claims WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      clearZsets: db.prepare<[number, string]>('DELETE FROM zsets WHERE substr(name, 1, ?) = ?'),
      clearClaims: db.prepare<[number, string]>('DELETE FROM claims WHERE substr(key, 1, ?) = ?'),
    };
    this.stmt.sweep.run(Date.now());
  }

  async add(set: string, member: string, score = 0): Promise<void> {
    await fairShare();
    this.stmt.add.run(this.prefix + set, member, finiteScore(score));
  }
  async remove(set: string, member: string): Promise<void> {
    this.stmt.remove.run(this.prefix + set, member);
  }
  async members(set: string): Promise<string[]> {
    return this.stmt.members.all(this.prefix + set).map((r) => r.member);
  }
  async range(set: string, min: number, max: number, limit?: number): Promise<{ member: string; score: number }[]> {
    await fairShare();
    return this.stmt.range.all(this.prefix + set, finiteScore(min), finiteScore(max), limit ?? -1);
  }
  async claim(key: string, owner: string, ttlMs?: number): Promise<boolean> {
    await fairShare();
    const now = Date.now();
    return this.stmt.claim.run(this.prefix + key, owner, ttlMs ? now + ttlMs : null, now).changes === 1;
  }
  async claimedBy(key: string): Promise<string | undefined> {
    return this.stmt.claimedBy.get(this.prefix + key, Date.now())?.owner;
  }
  async release(key: string, owner: string): Promise<boolean> {
    return this.stmt.release.run(this.prefix + key, owner, Date.now()).changes > 0;
  }
  clearNamespace(): void {
    this.stmt.clearZsets.run(this.prefix.length, this.prefix);
    this.stmt.clearClaims.run(this.prefix.length, this.prefix);
  }
}

/** The database file, its WAL and shared-memory files: readable by this user only (they hold patients' data). */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Creates the directory (0700, only the parts that are missing) and the file (0600) before SQLite does, so
 * nothing is ever readable by others, whatever the umask. An existing file is tightened to 0600.
 */
function prepareFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (!existsSync(path)) closeSync(openSync(path, 'a', FILE_MODE));
  tighten(path);
}

/** SQLite creates `-wal` and `-shm` with the database file's mode; this makes sure of it (and of older files). */
function tighten(path: string): void {
  for (const suffix of SIDE_FILES) {
    try {
      chmodSync(path + suffix, FILE_MODE);
    } catch {
      // not there (yet): created later with the database file's mode
    }
  }
}

/** just above every key starting with `prefix` (SQLite compares TEXT bytewise, as UTF-8) */
const upper = (prefix: string) => `${prefix}\u{10FFFF}`;

/** `path` is a file path (its directory is created) or `:memory:`. */
export function openSqliteBackend(path: string, namespace: string): NamespacedBackend {
  if (path !== ':memory:') prepareFile(path);
  const db = new BetterSqlite3(path, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  if (path !== ':memory:') tighten(path);
  const kvStore = new SqliteKeyvStore(db);
  const keyv = new Keyv({ store: kvStore, namespace, throwOnErrors: true });
  const indexes = new SqliteIndexes(db, `${namespace}:`);
  const prefix = `${namespace}:`;
  // every walk is a key range [lower, upper) read in pages after a cursor
  const scan = {
    keys: db.prepare<[string, string, string, number, number], { key: string }>(
      'SELECT key FROM kv WHERE key >= ? AND key > ? AND key < ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?',
    ),
    sets: db.prepare<[string, string, string, number], { name: string }>(
      'SELECT DISTINCT name FROM zsets WHERE name >= ? AND name > ? AND name < ? ORDER BY name LIMIT ?',
    ),
    claims: db.prepare<[string, string, string, number, number], { key: string; owner: string }>(
      'SELECT key, owner FROM claims WHERE key >= ? AND key > ? AND key < ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?',
    ),
    purgeKv: db.prepare<[string, string, number]>('DELETE FROM kv WHERE key >= ? AND key < ? AND expires_at IS NOT NULL AND expires_at <= ?'),
    purgeClaims: db.prepare<[string, string, number]>('DELETE FROM claims WHERE key >= ? AND key < ? AND expires_at IS NOT NULL AND expires_at <= ?'),
  };
  async function* pages<T>(p: string, read: (lower: string, after: string, until: string) => T[], keyOf: (row: T) => string): AsyncIterable<T> {
    const lower = prefix + p;
    let after = '';
    for (;;) {
      const rows = read(lower, after, upper(lower));
      for (const r of rows) if (keyOf(r).startsWith(lower)) yield r;
      if (rows.length < SCAN_PAGE) return;
      after = keyOf(rows[rows.length - 1]!);
    }
  }
  let closed = false;
  const backend: StoreBackend & NamespacedBackend = {
    kind: 'sqlite',
    namespace,
    kv: new KeyvValues(keyv),
    indexes,
    serial: sqliteSerialLog(db, namespace),
    async ping() {
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    async *scanKeys(p) {
      for await (const r of pages(p, (lower, after, until) => scan.keys.all(lower, after, until, Date.now(), SCAN_PAGE), (r) => r.key)) yield r.key.slice(prefix.length);
    },
    async *scanSets(p) {
      for await (const r of pages(p, (lower, after, until) => scan.sets.all(lower, after, until, SCAN_PAGE), (r) => r.name)) yield r.name.slice(prefix.length);
    },
    async *scanClaims(p) {
      for await (const r of pages(p, (lower, after, until) => scan.claims.all(lower, after, until, Date.now(), SCAN_PAGE), (r) => r.key)) yield { key: r.key.slice(prefix.length), owner: r.owner };
    },
    async purgeExpired() {
      const now = Date.now();
      return scan.purgeKv.run(prefix, upper(prefix), now).changes + scan.purgeClaims.run(prefix, upper(prefix), now).changes;
    },
    async clearNamespace() {
      await keyv.clear();
      indexes.clearNamespace();
      for (const table of ['serial_seen', 'serial_items', 'serial_keys', 'serial_dead']) db.prepare(`DELETE FROM ${table} WHERE ns = ?`).run(namespace);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  return backend;
}
