/**
 * Issue 10: `/readyz` must say "not ready" when the store cannot write. (In the incident the disk was full:
 * 398 of 400 webhooks were answered 500 while `/readyz` said ready, because it only pinged.) Each backend is
 * made to refuse writes while it still answers reads and pings: SQLite and Postgres with a trigger that fails
 * every write as a full disk does, Redis with its ACL taking the write commands away from the store's user.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, REDIS_URL, shouldSkip, uniqueNamespace } from '../store/services.js';
import { startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const skipRedis = await shouldSkip(REDIS_URL);
const skipPostgres = await shouldSkip(POSTGRES_URL);

type Fd = Awaited<ReturnType<typeof startFrontdesk>>;
const ready = async (fd: Fd) => {
  const res = await fetch(`${fd.base}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, boolean> } };
};

let platforms: Platforms;
beforeAll(async () => {
  platforms = await startPlatforms();
});
afterAll(async () => {
  await platforms?.close();
});

describe('readiness writes, reads and deletes a probe key', () => {
  describe('sqlite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-ready-'));
    const file = join(dir, 'frontdesk.sqlite');
    let fd: Fd;
    let other: BetterSqlite3.Database;
    beforeAll(async () => {
      fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: `sqlite:${file}` }));
      other = new BetterSqlite3(file);
    });
    afterAll(async () => {
      other?.close();
      await fd?.close();
    });

    it('ready while the file takes writes; 503 when every write fails (disk full); ready again after', async () => {
      expect(await ready(fd)).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: true } } });
      other.exec(`
        CREATE TRIGGER fd_disk_full_i BEFORE INSERT ON kv BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;
        CREATE TRIGGER fd_disk_full_u BEFORE UPDATE ON kv BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;`);
      // reads still work: a ping alone would say ready
      expect(await fd.store.backend.ping()).toBe(true);
      expect(await ready(fd)).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { store: false } } });
      other.exec('DROP TRIGGER fd_disk_full_i; DROP TRIGGER fd_disk_full_u;');
      expect((await ready(fd)).status).toBe(200);
    });

    it('503 when the database is closed under it', async () => {
      const dir2 = mkdtempSync(join(tmpdir(), 'fd-ready-closed-'));
      const fd2 = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: `sqlite:${join(dir2, 'f.sqlite')}` }));
      try {
        expect((await ready(fd2)).status).toBe(200);
        await fd2.store.backend.close();
        expect(await ready(fd2)).toMatchObject({ status: 503, body: { checks: { store: false } } });
      } finally {
        await fd2.close().catch(() => undefined);
      }
    });
  });

  describe.skipIf(skipRedis)('redis', () => {
    const user = `fd-ready-${process.pid}`;
    const password = `pw-${process.pid}-${Date.now()}`;
    const admin = new Redis(REDIS_URL);
    let fd: Fd;
    beforeAll(async () => {
      await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
      const u = new URL(REDIS_URL);
      u.username = user;
      u.password = password;
      fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: u.toString() }), { namespace: uniqueNamespace('ready') });
    });
    afterAll(async () => {
      await admin.call('ACL', 'SETUSER', user, '+@all').catch(() => undefined);
      await (fd?.store.backend as { clearNamespace?: () => Promise<void> } | undefined)?.clearNamespace?.();
      await fd?.close();
      await admin.call('ACL', 'DELUSER', user).catch(() => undefined);
      admin.disconnect();
    });

    it('503 while the store user may only read (a replica, a refused write); ready again after', async () => {
      expect((await ready(fd)).status).toBe(200);
      await admin.call('ACL', 'SETUSER', user, '-@write');
      expect(await fd.store.backend.ping()).toBe(true);
      expect(await ready(fd)).toMatchObject({ status: 503, body: { checks: { store: false } } });
      await admin.call('ACL', 'SETUSER', user, '+@all');
      expect((await ready(fd)).status).toBe(200);
    });
  });

  describe.skipIf(skipPostgres)('postgres', () => {
    const dbName = `fd_ready_${process.pid}_${Date.now()}`;
    const dbUrl = (() => {
      const u = new URL(POSTGRES_URL);
      u.pathname = `/${dbName}`;
      return u.toString();
    })();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    let inDb: pg.Client;
    let fd: Fd;
    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: dbUrl }));
      inDb = new pg.Client({ connectionString: dbUrl });
      await inDb.connect();
      await inDb.query(`CREATE FUNCTION fd_disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$ LANGUAGE plpgsql`);
    });
    afterAll(async () => {
      await inDb?.end();
      await fd?.close();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    });

    it('503 when every write fails (disk full); ready again after', async () => {
      expect((await ready(fd)).status).toBe(200);
      await inDb.query('CREATE TRIGGER fd_disk_full BEFORE INSERT OR UPDATE ON fd_kv FOR EACH ROW EXECUTE FUNCTION fd_disk_full()');
      expect(await fd.store.backend.ping()).toBe(true);
      expect(await ready(fd)).toMatchObject({ status: 503, body: { checks: { store: false } } });
      await inDb.query('DROP TRIGGER fd_disk_full ON fd_kv');
      expect((await ready(fd)).status).toBe(200);
    });
  });
});
