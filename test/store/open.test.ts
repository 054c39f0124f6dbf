import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreError, openStore, parseStoreUrl } from '../../src/store/index.js';
import { uniqueNamespace } from './services.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-open-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('store urls', () => {
  it('reads the three forms', () => {
    expect(parseStoreUrl('sqlite:./data/frontdesk.sqlite')).toEqual({ kind: 'sqlite', path: './data/frontdesk.sqlite' });
    expect(parseStoreUrl('sqlite:///var/lib/fd.sqlite')).toEqual({ kind: 'sqlite', path: '/var/lib/fd.sqlite' });
    expect(parseStoreUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379/2' });
    expect(parseStoreUrl('postgresql://u@h/db').kind).toBe('postgres');
    expect(parseStoreUrl('postgres://u@h/db').kind).toBe('postgres');
  });

  it('refuses anything else with a typed error', async () => {
    expect(isStoreError(await openStore('mysql://x').catch((e: unknown) => e), 'bad_url')).toBe(true);
    expect(isStoreError(await openStore('sqlite:').catch((e: unknown) => e), 'bad_url')).toBe(true);
    const bad = await openStore(`sqlite:${join(dir, 'x.sqlite')}`, { namespace: 'has space' }).catch((e: unknown) => e);
    expect(isStoreError(bad, 'bad_namespace')).toBe(true);
  });

  it('fails fast, and lets the process exit, when a server is not there', async () => {
    // port 1 on loopback: nothing listens there
    expect(isStoreError(await openStore('redis://127.0.0.1:1').catch((e: unknown) => e), 'unreachable')).toBe(true);
    expect(isStoreError(await openStore('postgres://postgres@127.0.0.1:1/test').catch((e: unknown) => e), 'unreachable')).toBe(true);
    const locksDown = await openStore(`sqlite:${join(dir, 'locks.sqlite')}`, { redisUrl: 'redis://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(isStoreError(locksDown, 'unreachable')).toBe(true);
  });
});

describe('sqlite file', () => {
  it('creates its directory and keeps data across a reopen', async () => {
    const path = join(dir, 'a', 'b', 'store.sqlite');
    const namespace = uniqueNamespace('reopen');
    const first = await openStore(`sqlite:${path}`, { namespace });
    expect(existsSync(path)).toBe(true);
    const c = await first.contacts.ensureForChannelUser('f', 'messenger', 'psid');
    await first.appointments.upsert('f', 'A', () => ({
      facilityId: 'f', appointmentId: 'A', status: 'SCHEDULED', start: '2025-01-02T09:00:00+07:00',
      calendarId: 'c', appointmentTypeId: 't', patient: { name: 'N', phone: '+620000000' }, contactId: c.id,
    }));
    await first.close();
    await first.close(); // closing twice is harmless

    const second = await openStore(`sqlite:${path}`, { namespace });
    expect((await second.contacts.byChannelUser('f', 'messenger', 'psid'))?.id).toBe(c.id);
    expect((await second.appointments.byDay('f', '2025-01-02')).map((a) => a.appointmentId)).toEqual(['A']);
    await second.close();

    const otherNamespace = await openStore(`sqlite:${path}`, { namespace: uniqueNamespace('other') });
    expect(await otherNamespace.contacts.byChannelUser('f', 'messenger', 'psid')).toBeUndefined();
    await otherNamespace.close();
  });
});
