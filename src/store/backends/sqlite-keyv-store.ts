import { EventEmitter } from 'node:events';
import type { Database } from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { fairShare } from './fair-share.js';

/**
 * A minimal keyv storage adapter over an open better-sqlite3 database.
 *
 * Why not @keyv/sqlite: it depends on the `sqlite3` native module (a second SQLite binding with its
 * own install step); better-sqlite3 is already here for the indexes, so values and indexes share
 * one file and one connection. keyv serializes values (with their expiry) to strings; this adapter
 * only stores those strings. `expires_at` is kept so expired rows can be swept, keyv itself still
 * checks expiry on read.
 */
export class SqliteKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: { table: string };
  namespace?: string;
  private readonly stmt;

  constructor(private readonly db: Database, table = 'kv') {
    super();
    this.opts = { table };
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID`);
    this.stmt = {
      get: db.prepare<[string], { value: string; expires_at: number | null }>(`SELECT value, expires_at FROM ${table} WHERE key = ?`),
      set: db.prepare(
        `INSERT INTO ${table} (key, value, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      ),
      delete: db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`),
      clearPrefix: db.prepare<[number, string]>(`DELETE FROM ${table} WHERE substr(key, 1, ?) = ?`),
      clearAll: db.prepare(`DELETE FROM ${table}`),
      sweep: db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at <= ?`),
    };
    this.stmt.sweep.run(Date.now());
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    await fairShare();
    const row = this.stmt.get.get(key);
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= Date.now()) {
      this.stmt.delete.run(key);
      return undefined;
    }
    return row.value as StoredData<Value>;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    await fairShare();
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    this.stmt.set.run(key, text, ttl && ttl > 0 ? Date.now() + ttl : null);
  }

  async delete(key: string): Promise<boolean> {
    return this.stmt.delete.run(key).changes > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    if (this.namespace) this.stmt.clearPrefix.run(this.namespace.length + 1, `${this.namespace}:`);
    else this.stmt.clearAll.run();
  }

  /** the database belongs to the backend, which closes it */
  async disconnect(): Promise<void> {}
}
