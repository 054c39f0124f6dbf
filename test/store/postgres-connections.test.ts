/**
 * Issue 12 (found by the suite): @keyv/postgres keeps one module-wide pool with no 'error' listener, swapped
 * when a second URL is opened. Postgres terminating our idle connections (a restart, a failover, an admin)
 * must not be an uncaught error, two stores on two databases must not cut each other off, and the next
 * query must work on a fresh connection.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { POSTGRES_URL, shouldSkip, uniqueNamespace } from './services.js';

const skip = await shouldSkip(POSTGRES_URL);
const dbName = `fd_conn_${process.pid}_${Date.now()}`;
const dbUrl = (() => {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

describe.skipIf(skip)('postgres connections', () => {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });

  it('two stores on two databases each keep their values; closing one leaves the other working', async () => {
    const a = await openStore(`postgres:${POSTGRES_URL.replace(/^postgres:/, '')}`, { namespace: uniqueNamespace('conn-a') });
    const b = await openStore(dbUrl, { namespace: uniqueNamespace('conn-b') });
    try {
      await a.backend.kv.set('k', 'in test');
      await b.backend.kv.set('k', 'in its own db');
      expect(await a.backend.kv.get('k')).toBe('in test');
      expect(await b.backend.kv.get('k')).toBe('in its own db');
      const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1`, [dbName]);
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await a.close();
    }
    // a's pool ended; b's (a different database) still answers
    expect(await b.backend.kv.get('k')).toBe('in its own db');
    await b.close();
  });

  it('Postgres terminating every idle connection is no crash; the next read and write work', async () => {
    const store = await openStore(dbUrl, { namespace: uniqueNamespace('conn-kill') });
    try {
      await store.backend.kv.set('before', 1);
      await store.backend.indexes.add('set', 'm', 1);
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
      expect(killed.rowCount).toBeGreaterThan(0);
      // let the terminated sockets report their errors (an uncaught one would fail this file)
      await new Promise((r) => setTimeout(r, 200));
      expect(await store.backend.kv.get('before')).toBe(1);
      await store.backend.kv.set('after', 2);
      expect(await store.backend.kv.get('after')).toBe(2);
      expect(await store.backend.indexes.members('set')).toEqual(['m']);
    } finally {
      await store.close();
    }
  });
});
