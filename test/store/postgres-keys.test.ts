/**
 * Issue 10: Postgres keys are TEXT. A key longer than 255 characters is stored and read back, and a table
 * made by an older version (VARCHAR(255), @keyv/postgres' default) is altered at open, its rows kept.
 * The migration runs in a database of its own, so the shared test database's table is never rebuilt
 * under another test.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { POSTGRES_URL, shouldSkip, uniqueNamespace } from './services.js';

const skip = await shouldSkip(POSTGRES_URL);
const LONG = `conv:st-lukes:${'x'.repeat(600)}`;

const keyType = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_name = 'fd_kv' AND column_name = 'key'");
    return rows[0]?.data_type;
  } finally {
    await c.end();
  }
};

describe.skipIf(skip)('postgres keys', () => {
  const dbName = `fd_keys_${process.pid}_${Date.now()}`;
  const dbUrl = (() => {
    const u = new URL(POSTGRES_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });

  it('a 600-character key is stored and read back (the shared database)', async () => {
    const store = await openStore(POSTGRES_URL, { namespace: uniqueNamespace('pg-long') });
    try {
      await store.backend.kv.set(LONG, { ok: true });
      expect(await store.backend.kv.get(LONG)).toEqual({ ok: true });
      expect(await keyType(POSTGRES_URL)).toBe('text');
    } finally {
      await store.backend.clearNamespace();
      await store.close();
    }
  });

  it('an older VARCHAR(255) table is altered to TEXT at open, its rows kept', async () => {
    const old = new pg.Client({ connectionString: dbUrl });
    await old.connect();
    // what @keyv/postgres (and frontdesk before this change) created
    await old.query('CREATE TABLE fd_kv (key VARCHAR(255) PRIMARY KEY, value TEXT)');
    await old.query(`INSERT INTO fd_kv (key, value) VALUES ('fd:calendars:st-lukes', '{"value":{"calendars":[]}}')`);
    await expect(old.query('INSERT INTO fd_kv (key, value) VALUES ($1, $2)', [`fd:${LONG}`, '{}'])).rejects.toThrow(/too long/);
    await old.end();
    expect(await keyType(dbUrl)).toBe('character varying');

    const store = await openStore(dbUrl, { namespace: 'fd' });
    try {
      expect(await keyType(dbUrl)).toBe('text');
      expect(await store.backend.kv.get('calendars:st-lukes')).toEqual({ calendars: [] });
      await store.backend.kv.set(LONG, 'long keys fit');
      expect(await store.backend.kv.get(LONG)).toBe('long keys fit');
    } finally {
      await store.close();
    }
  });
});
