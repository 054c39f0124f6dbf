import BetterSqlite3 from 'better-sqlite3';
import { sqliteSerialLog } from '../../src/store/backends/serial-sqlite.js';
import type { Indexes, KeyValue, StoreBackend } from '../../src/store/types.js';

/**
 * A StoreBackend held in process memory (for tests). Several queues given the same instance share
 * it, like several processes sharing one SQLite file. Claims expire on the real clock.
 */
export function createMemoryBackend(): StoreBackend {
  const values = new Map<string, { value: unknown; expiresAt?: number }>();
  const sets = new Map<string, Map<string, number>>();
  const claims = new Map<string, { owner: string; expiresAt?: number }>();

  const live = <T extends { expiresAt?: number }>(m: Map<string, T>, key: string): T | undefined => {
    const e = m.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      m.delete(key);
      return undefined;
    }
    return e;
  };
  const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

  const kv: KeyValue = {
    async get<T>(key: string) {
      return clone(live(values, key)?.value as T | undefined);
    },
    async set<T>(key: string, value: T, ttlMs?: number) {
      values.set(key, { value: clone(value), expiresAt: ttlMs ? Date.now() + ttlMs : undefined });
    },
    async delete(key: string) {
      return values.delete(key);
    },
  };

  const set = (name: string) => {
    let s = sets.get(name);
    if (!s) sets.set(name, (s = new Map()));
    return s;
  };

  const indexes: Indexes = {
    async add(name, member, score = 0) {
      set(name).set(member, score);
    },
    async remove(name, member) {
      set(name).delete(member);
    },
    async members(name) {
      return [...set(name).keys()];
    },
    async range(name, min, max, limit) {
      const rows = [...set(name)]
        .filter(([, score]) => score >= min && score <= max)
        .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
        .map(([member, score]) => ({ member, score }));
      return limit === undefined ? rows : rows.slice(0, limit);
    },
    async claim(key, owner, ttlMs) {
      if (live(claims, key)) return false;
      claims.set(key, { owner, expiresAt: ttlMs ? Date.now() + ttlMs : undefined });
      return true;
    },
    async claimedBy(key) {
      return live(claims, key)?.owner;
    },
    async release(key, owner) {
      if (live(claims, key)?.owner !== owner) return false;
      return claims.delete(key);
    },
  };

  return {
    kind: 'sqlite',
    kv,
    indexes,
    // the serial log's atomic steps are SQL transactions: an in-memory SQLite database stands in
    serial: sqliteSerialLog(new BetterSqlite3(':memory:'), 'memory'),
    ping: async () => true,
    close: async () => {},
  };
}
