/**
 * The store room: every key family outside the identity and mirror repositories (turn log, pushed choices,
 * mirror refreshes, attention, send records, broadcasts, the embedded job queue) has its repository in
 * src/store. Their keys and values are the ones the engine, the outbox, the broadcasts and the job queue
 * wrote with raw kv/index calls before, so stored data stays readable without a migration: each case writes
 * the old way (raw, with the old key strings) and reads through the repository, then writes through the
 * repository and reads the old way.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore, type SendRecord, type StoredJob } from '../../src/store/index.js';
import { jobStore } from '../../src/store/jobs.js';
import { KEY_FAMILIES } from '../../src/store/keys.js';
import { POSTGRES_URL, REDIS_URL, shouldSkip, uniqueNamespace } from './services.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-families-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const BACKENDS = [
  { name: 'sqlite', url: `sqlite:${join(dir, 'store.sqlite')}`, skip: false },
  { name: 'redis', url: REDIS_URL, skip: await shouldSkip(REDIS_URL) },
  { name: 'postgres', url: POSTGRES_URL, skip: await shouldSkip(POSTGRES_URL) },
];

const F = 'st-lukes';
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;
let n = 0;
/** an id no other case of this file uses (cases share one namespace per backend) */
const fresh = (label: string) => `${label}-${++n}`;

const sendRecord = (id: string, over: Partial<SendRecord> = {}): SendRecord => ({
  id,
  facilityId: F,
  channel: 'messenger',
  contactId: 'c-1',
  purpose: 'reminder',
  status: 'sent',
  attempts: 1,
  platformMessageIds: ['mid.1'],
  createdAt: '2030-03-04T09:00:00.000Z',
  updatedAt: '2030-03-04T09:00:01.000Z',
  ...over,
});

describe.each(BACKENDS)('family repositories on $name', (backend) => {
  describe.skipIf(backend.skip)('read what the raw calls wrote, and write the same keys', () => {
    let store: OpenedStore;
    beforeAll(async () => {
      store = await openStore(backend.url, { namespace: uniqueNamespace(`families-${backend.name}`) });
    });
    afterAll(async () => {
      await store?.backend.clearNamespace();
      await store?.close();
    });

    it('turn log: engine:turn:{f}:{id}', async () => {
      const { kv } = store.backend;
      const c = fresh('c');
      const old = { key: 'sms:SM1', at: '2030-03-04T09:00:00.000Z', conversation: { action: 'keep' }, patches: [], appointments: [], outbound: [] };
      await kv.set(`engine:turn:${F}:${c}`, old);
      expect(await store.turns.lastTurn(F, c)).toEqual(old);
      const next = { ...old, key: 'sms:SM2' };
      await store.turns.commit(F, c, next);
      expect(await kv.get(`engine:turn:${F}:${c}`)).toEqual(next);
      expect(await store.turns.lastTurn(F, fresh('c'))).toBeUndefined();
    });

    it('pushed choices: engine:push:{f}:{id}', async () => {
      const { kv } = store.backend;
      const c = fresh('c');
      const old = { choices: [{ id: 'rem:confirm', label: 'Confirm' }], at: '2030-03-04T09:00:00.000Z' };
      await kv.set(`engine:push:${F}:${c}`, old, 14 * 24 * 3600_000);
      expect(await store.pushedChoices.latest(F, c)).toEqual(old);
      await store.pushedChoices.remember(F, c, [{ id: 'rem:cancel', label: 'Cancel' }], '2030-03-05T09:00:00.000Z');
      expect(await kv.get(`engine:push:${F}:${c}`)).toEqual({ choices: [{ id: 'rem:cancel', label: 'Cancel' }], at: '2030-03-05T09:00:00.000Z' });
    });

    it('mirror refreshes: engine:mirror-refreshed:{f}:{id}', async () => {
      const { kv } = store.backend;
      const c = fresh('c');
      await kv.set(`engine:mirror-refreshed:${F}:${c}`, 1_900_000_000_000);
      expect(await store.mirrorRefreshes.lastRefreshed(F, c)).toBe(1_900_000_000_000);
      await store.mirrorRefreshes.markRefreshed(F, c, 1_900_000_060_000);
      expect(await kv.get(`engine:mirror-refreshed:${F}:${c}`)).toBe(1_900_000_060_000);
    });

    it('attention: attention:item:{f}:{id} and attention:{f}, newest first', async () => {
      const { kv, indexes } = store.backend;
      const f = fresh('fac');
      const old = { id: 'sms:SM1:handoff:0', facilityId: f, kind: 'handoff', contactId: 'c-1', channel: 'sms', at: '2030-03-04T09:00:00.000Z', reason: 'asked_for_staff' };
      await kv.set(`attention:item:${f}:${old.id}`, old, 30 * 24 * 3600_000);
      await indexes.add(`attention:${f}`, old.id, Date.parse(old.at));
      await store.attention.record({ id: 'sms:SM2:confirm:a1', facilityId: f, kind: 'confirmed_locally', contactId: 'c-1', channel: 'sms', at: '2030-03-05T09:00:00.000Z', appointmentId: 'a1' });
      expect((await store.attention.newest(f)).map((i) => i.id)).toEqual(['sms:SM2:confirm:a1', old.id]);
      expect(await store.attention.newest(f, 1)).toHaveLength(1);
      expect(await kv.get(`attention:item:${f}:sms:SM2:confirm:a1`)).toMatchObject({ kind: 'confirmed_locally', appointmentId: 'a1' });
      expect(await indexes.range(`attention:${f}`, MIN, MAX)).toEqual([
        { member: old.id, score: Date.parse(old.at) },
        { member: 'sms:SM2:confirm:a1', score: Date.parse('2030-03-05T09:00:00.000Z') },
      ]);
    });

    it('send records: outbox:rec, outbox:pmid, outbox:sent and outbox:undeliverable', async () => {
      const { kv, indexes } = store.backend;
      const recs = store.sendRecords;
      const id = fresh('messenger:m');
      await kv.set(`outbox:rec:${id}`, sendRecord(id), 90 * 24 * 3600_000);
      await kv.set(`outbox:pmid:messenger:mid.${id}`, id, 90 * 24 * 3600_000);
      expect(await recs.find(id)).toEqual(sendRecord(id));
      expect(await recs.messageIdFor('messenger', `mid.${id}`)).toBe(id);
      expect(await recs.messageIdFor('viber', `mid.${id}`)).toBeUndefined();

      const id2 = fresh('messenger:m');
      await recs.save(sendRecord(id2, { status: 'queued' }));
      await recs.notePlatformId('messenger', `mid.${id2}`, id2);
      expect(await kv.get(`outbox:rec:${id2}`)).toEqual(sendRecord(id2, { status: 'queued' }));
      expect(await kv.get(`outbox:pmid:messenger:mid.${id2}`)).toBe(id2);

      // the sent index of a Messenger recipient: the old raw entry and a new one, read up to a watermark
      const psid = fresh('psid');
      const t = Date.parse('2030-03-04T09:00:00Z');
      await indexes.add(`outbox:sent:${F}:messenger:${psid}`, id, t);
      await recs.noteSentTo(F, 'messenger', psid, id2, t + 60_000);
      expect(await recs.sentUpTo(F, 'messenger', psid, t)).toEqual([id]);
      expect(await recs.sentUpTo(F, 'messenger', psid, t + 60_000)).toEqual([id, id2]);
      await recs.forgetSent(F, 'messenger', psid, id);
      expect(await indexes.members(`outbox:sent:${F}:messenger:${psid}`)).toEqual([id2]);
      // one past the retention leaves when the next is noted
      await recs.noteSentTo(F, 'messenger', psid, 'newest', t + recs.retentionMs + 120_000);
      expect(await indexes.members(`outbox:sent:${F}:messenger:${psid}`)).toEqual(['newest']);

      // undeliverable: oldest first; an entry whose record is gone is dropped, one no longer undeliverable kept out
      const f = fresh('fac');
      const u1 = sendRecord(fresh('sms:u'), { facilityId: f, status: 'undeliverable', reason: 'no_channel', createdAt: '2030-03-04T08:00:00.000Z' });
      await kv.set(`outbox:rec:${u1.id}`, u1);
      await indexes.add(`outbox:undeliverable:${f}`, u1.id, Date.parse(u1.createdAt));
      await indexes.add(`outbox:undeliverable:${f}`, 'gone', 1);
      const u2 = sendRecord(fresh('sms:u'), { facilityId: f, status: 'undeliverable', reason: 'opted_out' });
      await recs.save(u2);
      await recs.markUndeliverable(u2);
      expect(await indexes.range(`outbox:undeliverable:${f}`, MIN, MAX)).toContainEqual({ member: u2.id, score: Date.parse(u2.createdAt) });
      expect((await recs.undeliverable(f)).map((r) => r.id)).toEqual([u1.id, u2.id]);
      expect(await indexes.members(`outbox:undeliverable:${f}`)).not.toContain('gone');
    });

    it('broadcasts: broadcast:{id} and broadcast-claim:{id}, one per request', async () => {
      const { kv, indexes } = store.backend;
      const id = fresh('bc');
      const old = { id, request: { facilityId: F, date: '2030-03-05', kind: 'message', text: 'Open at 9' }, status: 'queued' as const, recipients: [{ messageId: `bc:${id}:a1`, appointmentId: 'a1', contactId: 'c-1' }], createdAt: '2030-03-04T09:00:00.000Z' };
      // as planBroadcast wrote it: the claim (owned by the id), then the record
      await indexes.claim(`broadcast-claim:${id}`, id);
      await kv.set(`broadcast:${id}`, old);
      expect(await store.broadcasts.find(id)).toEqual(old);
      expect(await store.broadcasts.createOnce({ ...old, recipients: [] })).toBe(false);
      expect(await store.broadcasts.find(id)).toEqual(old);
      expect(await store.broadcasts.markRunning(id)).toEqual(old);
      expect(await kv.get(`broadcast:${id}`)).toEqual({ ...old, status: 'running' });
      expect(await store.broadcasts.markRunning(fresh('bc'))).toBeUndefined();

      const id2 = fresh('bc');
      const made = await Promise.all([store.broadcasts.createOnce({ ...old, id: id2 }), store.broadcasts.createOnce({ ...old, id: id2 })]);
      expect(made.filter(Boolean)).toHaveLength(1);
      expect(await indexes.claimedBy(`broadcast-claim:${id2}`)).toBe(id2);
      expect(await kv.get(`broadcast:${id2}`)).toEqual({ ...old, id: id2 });
    });

    it('the embedded job queue: jobs:job, jobs:due, jobs:lease and jobs:alive', async () => {
      const { kv, indexes } = store.backend;
      const jobs = jobStore(store.backend);
      const id = fresh('send');
      const old: StoredJob = { id, name: 'outbox.send', payload: { id }, runAt: 1000, maxAttempts: 3, attemptsMade: 0, state: 'pending', createdAt: 1000, updatedAt: 1000 };
      await indexes.add('jobs:due', id, 1000);
      await kv.set(`jobs:job:${id}`, old);
      expect(await jobs.find(id)).toEqual(old);
      expect(await jobs.dueBy(1000, 500)).toContain(id);
      expect(await jobs.dueBy(999, 500)).not.toContain(id);
      await jobs.save({ ...old, state: 'done', attemptsMade: 1 });
      expect(await kv.get(`jobs:job:${id}`)).toMatchObject({ state: 'done', attemptsMade: 1 });
      await jobs.unschedule(id);
      expect(await indexes.members('jobs:due')).not.toContain(id);
      await jobs.scheduleAt(id, 2000);
      expect(await indexes.range('jobs:due', 2000, 2000)).toEqual([{ member: id, score: 2000 }]);

      expect(await jobs.claimLease(id, 'worker-a', 60_000)).toBe(true);
      expect(await indexes.claimedBy(`jobs:lease:${id}`)).toBe('worker-a');
      expect(await jobs.claimLease(id, 'worker-b', 60_000)).toBe(false);
      expect(await jobs.leaseHolder(id)).toBe('worker-a');
      expect(await jobs.releaseLease(id, 'worker-b')).toBe(false);
      expect(await jobs.releaseLease(id, 'worker-a')).toBe(true);
      expect(await jobs.leaseHolder(id)).toBeUndefined();

      const who = fresh('host:1');
      expect(await jobs.isAlive(who)).toBe(false);
      await kv.set(`jobs:alive:${who}`, 1, 10_000);
      expect(await jobs.isAlive(who)).toBe(true);
      const other = fresh('host:2');
      await jobs.markAlive(other, 5, 10_000);
      expect(await kv.get(`jobs:alive:${other}`)).toBe(5);

      // another namespace (the test harnesses') keeps its own keys
      const mine = jobStore(store.backend, { namespace: 'jobs-x' });
      await mine.scheduleAt('j1', 1);
      expect(await indexes.members('jobs-x:due')).toEqual(['j1']);
      expect(await indexes.members('jobs:due')).not.toContain('j1');
    });
  });
});

describe('the key list', () => {
  it("names an owner that exists for every family; the store's own families are owned in src/store", () => {
    const root = new URL('../../', import.meta.url).pathname;
    for (const f of KEY_FAMILIES) {
      expect(existsSync(join(root, f.owner)), `${f.pattern}: ${f.owner}`).toBe(true);
      // values, sorted sets and claims are written by src/store only (BullMQ's keys are its own)
      if (f.kind === 'kv' || f.kind === 'zset' || f.kind === 'claim') expect(f.owner, f.pattern).toMatch(/^src\/store\//);
    }
  });
});
