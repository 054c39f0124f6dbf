import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../../src/core/domain.js';
import { isStoreError, openStore, type OpenedStore } from '../../src/store/index.js';
import { POSTGRES_URL, REDIS_URL, shouldSkip, uniqueNamespace } from './services.js';

const sqliteDir = await mkdtemp(join(tmpdir(), 'fd-store-'));

const BACKENDS = [
  // a directory that does not exist yet: openStore must create it
  { name: 'sqlite', url: `sqlite:${join(sqliteDir, 'nested', 'data', 'store.sqlite')}`, skip: false },
  { name: 'redis', url: REDIS_URL, skip: await shouldSkip(REDIS_URL) },
  { name: 'postgres', url: POSTGRES_URL, skip: await shouldSkip(POSTGRES_URL) },
];

afterAll(async () => {
  await rm(sqliteDir, { recursive: true, force: true });
});

let facilityCounter = 0;
/** each test works in its own facility, so tests sharing a namespace cannot see each other's records */
const newFacility = () => `fac-${++facilityCounter}`;

function appointment(facilityId: string, id: string, over: Partial<Appointment> = {}): Appointment {
  return {
    facilityId,
    appointmentId: id,
    status: 'SCHEDULED',
    start: '2025-03-04T09:00:00+08:00',
    calendarId: 'cal-1',
    appointmentTypeId: 'type-1',
    patient: { name: 'Juan Dela Cruz', phone: '+639171234567' },
    ...over,
  } as Appointment;
}

describe.each(BACKENDS)('store on $name', (backend) => {
  describe.skipIf(backend.skip)('repositories', () => {
    const namespace = uniqueNamespace(backend.name);
    let a: OpenedStore;
    /** a second instance on the same backend and namespace, as another process would be */
    let b: OpenedStore;

    beforeAll(async () => {
      a = await openStore(backend.url, { namespace });
      b = await openStore(backend.url, { namespace });
    });

    afterAll(async () => {
      await a?.backend.clearNamespace();
      await a?.close();
      await b?.close();
    });

    it('reports its kind and answers ping', async () => {
      expect(a.backend.kind).toBe(backend.name);
      expect(await a.backend.ping()).toBe(true);
    });

    describe('primitives', () => {
      it('keeps values, with and without ttl', async () => {
        await a.backend.kv.set('v:1', { n: 1, nested: { s: 'x' } });
        expect(await b.backend.kv.get('v:1')).toEqual({ n: 1, nested: { s: 'x' } });
        await a.backend.kv.set('v:short', 'gone soon', 40);
        await sleep(120);
        expect(await a.backend.kv.get('v:short')).toBeUndefined();
        expect(await a.backend.kv.delete('v:1')).toBe(true);
        expect(await a.backend.kv.get('v:1')).toBeUndefined();
      });

      it('orders sorted sets by score, re-scores, removes and limits ranges', async () => {
        const ix = a.backend.indexes;
        await ix.add('zs', 'c', 30);
        await ix.add('zs', 'a', 10);
        await ix.add('zs', 'b', 20);
        await ix.add('zs', 'a', 40); // re-score
        expect(await ix.members('zs')).toEqual(['b', 'c', 'a']);
        expect(await ix.range('zs', 20, 30)).toEqual([
          { member: 'b', score: 20 },
          { member: 'c', score: 30 },
        ]);
        expect(await ix.range('zs', -Infinity, Infinity, 2)).toEqual([
          { member: 'b', score: 20 },
          { member: 'c', score: 30 },
        ]);
        await ix.remove('zs', 'c');
        expect(await b.backend.indexes.members('zs')).toEqual(['b', 'a']);
      });

      it('gives a claim to one owner, releases only for that owner, and lets it expire', async () => {
        const ix = a.backend.indexes;
        expect(await ix.claim('cl:1', 'one', 5_000)).toBe(true);
        expect(await b.backend.indexes.claim('cl:1', 'two', 5_000)).toBe(false);
        expect(await ix.claimedBy('cl:1')).toBe('one');
        expect(await ix.release('cl:1', 'two')).toBe(false);
        expect(await ix.release('cl:1', 'one')).toBe(true);
        expect(await ix.claimedBy('cl:1')).toBeUndefined();

        expect(await ix.claim('cl:2', 'one', 40)).toBe(true);
        await sleep(150);
        expect(await ix.claimedBy('cl:2')).toBeUndefined();
        expect(await b.backend.indexes.claim('cl:2', 'two', 5_000)).toBe(true);
        expect(await ix.claimedBy('cl:2')).toBe('two');
      });

      it('keeps namespaces apart', async () => {
        const other = await openStore(backend.url, { namespace: uniqueNamespace(`${backend.name}-other`) });
        try {
          await a.backend.kv.set('shared-key', 'from a');
          await a.backend.indexes.claim('shared-claim', 'a');
          expect(await other.backend.kv.get('shared-key')).toBeUndefined();
          expect(await other.backend.indexes.claim('shared-claim', 'other')).toBe(true);
          await other.backend.clearNamespace();
          expect(await a.backend.kv.get('shared-key')).toBe('from a');
        } finally {
          await other.close();
        }
      });
    });

    describe('contacts', () => {
      it('creates one contact per channel user and finds it by every key', async () => {
        const f = newFacility();
        const c = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-1', { locale: 'fil' });
        expect(c).toMatchObject({ facilityId: f, messenger: { psid: 'psid-1' }, locale: 'fil', lastChannel: 'messenger' });
        expect((await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-1')).id).toBe(c.id);
        expect((await b.contacts.get(f, c.id))?.id).toBe(c.id);
        expect((await b.contacts.byChannelUser(f, 'messenger', 'psid-1'))?.id).toBe(c.id);
        expect(await b.contacts.byChannelUser(f, 'viber', 'psid-1')).toBeUndefined();
        expect(await b.contacts.byChannelUser(newFacility(), 'messenger', 'psid-1')).toBeUndefined();
        expect((await a.contacts.list(f)).map((x) => x.id)).toEqual([c.id]);
      });

      it('indexes phone, patient id and every temporary patient id, and follows changes', async () => {
        const f = newFacility();
        const c = await a.contacts.ensureForChannelUser(f, 'viber', 'vb-1');
        expect(c.viber).toEqual({ userId: 'vb-1', subscribed: false });
        await a.contacts.update(f, c.id, (x) => {
          x.phone = '+639170000001';
          x.patientId = 'P-1';
          x.temporaryPatientIds = ['T-1', 'T-2'];
        });
        for (const pid of ['P-1', 'T-1', 'T-2']) expect((await b.contacts.byPatientId(f, pid))?.id).toBe(c.id);
        expect((await b.contacts.byPhone(f, '+639170000001'))?.id).toBe(c.id);

        const updated = await a.contacts.update(f, c.id, (x) => ({
          ...x,
          phone: '+639170000002',
          patientId: 'P-2',
          temporaryPatientIds: ['T-2'],
          viber: { userId: 'vb-2', subscribed: false },
        }));
        expect(updated.updatedAt >= c.updatedAt).toBe(true);
        expect(await b.contacts.byPhone(f, '+639170000001')).toBeUndefined();
        expect((await b.contacts.byPhone(f, '+639170000002'))?.id).toBe(c.id);
        expect(await b.contacts.byPatientId(f, 'P-1')).toBeUndefined();
        expect(await b.contacts.byPatientId(f, 'T-1')).toBeUndefined();
        expect((await b.contacts.byPatientId(f, 'P-2'))?.id).toBe(c.id);
        expect((await b.contacts.byPatientId(f, 'T-2'))?.id).toBe(c.id);
        expect(await b.contacts.byChannelUser(f, 'viber', 'vb-1')).toBeUndefined();
        expect((await b.contacts.byChannelUser(f, 'viber', 'vb-2'))?.viber?.subscribed).toBe(false);

        // a freed phone can be taken by someone else
        const other = await a.contacts.ensureForPhone(f, '+639170000001');
        expect(other.id).not.toBe(c.id);
      });

      it('ensureForPhone creates an SMS-reachable contact and returns whoever has that phone', async () => {
        const f = newFacility();
        const desk = await a.contacts.ensureForPhone(f, '+639170000010', { name: 'Maria' });
        expect(desk).toMatchObject({ phone: '+639170000010', sms: { phone: '+639170000010', optedOut: false }, name: 'Maria' });
        expect((await b.contacts.byChannelUser(f, 'sms', '+639170000010'))?.id).toBe(desk.id);
        expect((await b.contacts.ensureForPhone(f, '+639170000010')).id).toBe(desk.id);
        // the same phone texting in is the same person
        expect((await b.contacts.ensureForChannelUser(f, 'sms', '+639170000010')).id).toBe(desk.id);

        const m = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-phone');
        await a.contacts.update(f, m.id, (x) => ({ ...x, phone: '+639170000011' }));
        expect((await a.contacts.ensureForPhone(f, '+639170000011')).id).toBe(m.id);
        const viaSms = await a.contacts.ensureForChannelUser(f, 'sms', '+639170000011');
        expect(viaSms.id).toBe(m.id);
        expect(viaSms.sms).toEqual({ phone: '+639170000011', optedOut: false });
        expect((await a.contacts.byChannelUser(f, 'sms', '+639170000011'))?.id).toBe(m.id);
      });

      it('merges a desk contact into a channel contact, keeping its ids as aliases', async () => {
        const f = newFacility();
        const desk = await a.contacts.ensureForPhone(f, '+639170000020', { name: 'Ana', dob: '1990-01-02' });
        await a.contacts.update(f, desk.id, (x) => ({ ...x, patientId: 'TMP-9', temporaryPatientIds: ['TMP-8'] }));
        const m = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-merge');
        await a.contacts.update(f, m.id, (x) => ({ ...x, patientId: 'P-100' }));

        const merged = await b.contacts.merge(f, m.id, desk.id);
        expect(merged).toMatchObject({
          id: m.id,
          patientId: 'P-100',
          phone: '+639170000020',
          name: 'Ana',
          dob: '1990-01-02',
          messenger: { psid: 'psid-merge' },
          sms: { phone: '+639170000020', optedOut: false },
        });
        expect([...(merged.temporaryPatientIds ?? [])].sort()).toEqual(['TMP-8', 'TMP-9']);
        expect(merged.createdAt).toBe(desk.createdAt);

        expect((await a.contacts.byPhone(f, '+639170000020'))?.id).toBe(m.id);
        expect((await a.contacts.byChannelUser(f, 'sms', '+639170000020'))?.id).toBe(m.id);
        for (const pid of ['P-100', 'TMP-9', 'TMP-8']) expect((await a.contacts.byPatientId(f, pid))?.id).toBe(m.id);
        expect((await a.contacts.list(f)).map((x) => x.id)).toEqual([m.id]);
        // the old id still leads to the person
        expect((await a.contacts.get(f, desk.id))?.id).toBe(m.id);
        const viaOldId = await a.contacts.update(f, desk.id, (x) => ({ ...x, locale: 'id' }));
        expect(viaOldId.id).toBe(m.id);
        expect((await a.contacts.get(f, m.id))?.locale).toBe('id');
        expect((await a.contacts.ensureForPhone(f, '+639170000020')).id).toBe(m.id);
      });

      it('refuses to update a contact that does not exist', async () => {
        const f = newFacility();
        const failure = await a.contacts.update(f, 'nope', (x) => x).catch((e: unknown) => e);
        expect(isStoreError(failure, 'not_found')).toBe(true);
      });

      it('updates a contact inside a lock held on another key without deadlocking', async () => {
        const f = newFacility();
        const c = await a.contacts.ensureForChannelUser(f, 'dev', 'dev-1');
        const result = await a.locks.withLock(`conversation:${f}:${c.id}`, () =>
          a.contacts.update(f, c.id, (x) => ({ ...x, consentAt: '2025-01-01T00:00:00Z' })),
        );
        expect(result.consentAt).toBe('2025-01-01T00:00:00Z');
      });

      it('creates exactly one contact when 20 callers on two instances race for one channel user', async () => {
        const f = newFacility();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).contacts.ensureForChannelUser(f, 'messenger', 'psid-race')),
        );
        expect(new Set(results.map((c) => c.id)).size).toBe(1);
        expect(await a.contacts.list(f)).toHaveLength(1);
        expect((await b.contacts.byChannelUser(f, 'messenger', 'psid-race'))?.id).toBe(results[0]!.id);
      });

      it('creates exactly one contact when 20 callers on two instances race for one phone', async () => {
        const f = newFacility();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            i % 3 ? (i % 2 ? a : b).contacts.ensureForPhone(f, '+639170000099') : a.contacts.ensureForChannelUser(f, 'sms', '+639170000099'),
          ),
        );
        expect(new Set(results.map((c) => c.id)).size).toBe(1);
        expect(await b.contacts.list(f)).toHaveLength(1);
      });
    });

    describe('appointments', () => {
      it('creates through upsert and finds by day, contact, patient id and temporary patient id', async () => {
        const f = newFacility();
        const created = await a.appointments.upsert(f, 'A-1', (cur) => {
          expect(cur).toBeUndefined();
          return appointment(f, 'A-1', { contactId: 'C-1', patientId: 'P-1', temporaryPatientId: 'T-1' });
        });
        await a.appointments.upsert(f, 'A-0', () =>
          appointment(f, 'A-0', { start: '2025-03-04T08:00:00+08:00', contactId: 'C-1' }),
        );
        expect(created?.appointmentId).toBe('A-1');
        expect((await b.appointments.get(f, 'A-1'))?.patientId).toBe('P-1');
        expect((await b.appointments.byDay(f, '2025-03-04')).map((x) => x.appointmentId)).toEqual(['A-0', 'A-1']);
        expect((await b.appointments.byContact(f, 'C-1')).map((x) => x.appointmentId)).toEqual(['A-0', 'A-1']);
        expect((await b.appointments.byPatientId(f, 'P-1')).map((x) => x.appointmentId)).toEqual(['A-1']);
        expect((await b.appointments.byPatientId(f, 'T-1')).map((x) => x.appointmentId)).toEqual(['A-1']);
        expect(await b.appointments.byDay(f, '2025-03-05')).toEqual([]);
        expect(await b.appointments.byDay(newFacility(), '2025-03-04')).toEqual([]);
      });

      it('takes the day from the start as written with the facility offset', async () => {
        const f = newFacility();
        // 23:30 in Manila is 15:30 UTC the same day; 00:30 in Manila is the previous day in UTC
        await a.appointments.upsert(f, 'late', () => appointment(f, 'late', { start: '2025-03-04T23:30:00+08:00' }));
        await a.appointments.upsert(f, 'early', () => appointment(f, 'early', { start: '2025-03-05T00:30:00+08:00' }));
        expect((await a.appointments.byDay(f, '2025-03-04')).map((x) => x.appointmentId)).toEqual(['late']);
        expect((await a.appointments.byDay(f, '2025-03-05')).map((x) => x.appointmentId)).toEqual(['early']);
      });

      it('moves index entries when start, contact or patient ids change', async () => {
        const f = newFacility();
        await a.appointments.upsert(f, 'A-1', () => appointment(f, 'A-1', { contactId: 'C-1', patientId: 'P-1' }));
        await a.appointments.upsert(f, 'A-1', (cur) => cur && { ...cur, start: '2025-03-06T10:00:00+08:00', contactId: 'C-2', patientId: undefined, temporaryPatientId: 'T-5' });
        expect(await b.appointments.byDay(f, '2025-03-04')).toEqual([]);
        expect((await b.appointments.byDay(f, '2025-03-06')).map((x) => x.appointmentId)).toEqual(['A-1']);
        expect(await b.appointments.byContact(f, 'C-1')).toEqual([]);
        expect((await b.appointments.byContact(f, 'C-2')).map((x) => x.appointmentId)).toEqual(['A-1']);
        expect(await b.appointments.byPatientId(f, 'P-1')).toEqual([]);
        expect((await b.appointments.byPatientId(f, 'T-5')).map((x) => x.appointmentId)).toEqual(['A-1']);
      });

      it('leaves things as they are when fn returns undefined', async () => {
        const f = newFacility();
        expect(await a.appointments.upsert(f, 'none', () => undefined)).toBeUndefined();
        expect(await a.appointments.get(f, 'none')).toBeUndefined();
        await a.appointments.upsert(f, 'A-1', () => appointment(f, 'A-1', { queueNumber: '7' }));
        expect((await a.appointments.upsert(f, 'A-1', () => undefined))?.queueNumber).toBe('7');
      });

      it('follows an id changed by a reschedule through its aliases', async () => {
        const f = newFacility();
        await a.appointments.upsert(f, 'old', () => appointment(f, 'old', { contactId: 'C-1' }));
        const moved = await a.appointments.upsert(f, 'old', (cur) => cur && { ...cur, appointmentId: 'new', start: '2025-03-07T09:00:00+08:00' });
        expect(moved?.previousIds).toEqual(['old']);
        expect(await b.appointments.get(f, 'old')).toBeUndefined();
        expect((await b.appointments.get(f, 'new'))?.previousIds).toEqual(['old']);
        expect(await b.appointments.resolveId(f, 'old')).toBe('new');
        expect(await b.appointments.resolveId(f, 'new')).toBe('new');
        expect(await b.appointments.resolveId(f, 'unknown')).toBeUndefined();
        expect((await b.appointments.byContact(f, 'C-1')).map((x) => x.appointmentId)).toEqual(['new']);
        expect(await b.appointments.byDay(f, '2025-03-04')).toEqual([]);

        // a second reschedule: both earlier ids lead to the newest
        await a.appointments.upsert(f, 'new', (cur) => cur && { ...cur, appointmentId: 'newest' });
        expect((await a.appointments.get(f, 'newest'))?.previousIds?.slice().sort()).toEqual(['new', 'old']);
        expect(await b.appointments.resolveId(f, 'old')).toBe('newest');
        expect(await b.appointments.resolveId(f, 'new')).toBe('newest');

        // the new id already mirrored (its webhook came first) on another day: one record, one day
        await a.appointments.upsert(f, 'R-2', () => appointment(f, 'R-2', { start: '2025-03-09T09:00:00+08:00' }));
        await a.appointments.upsert(f, 'R-1', () => appointment(f, 'R-1', { start: '2025-03-08T09:00:00+08:00' }));
        await a.appointments.upsert(f, 'R-1', (cur) => cur && { ...cur, appointmentId: 'R-2' });
        expect(await b.appointments.byDay(f, '2025-03-09')).toEqual([]);
        expect((await b.appointments.byDay(f, '2025-03-08')).map((x) => x.appointmentId)).toEqual(['R-2']);
        expect(await b.appointments.resolveId(f, 'R-1')).toBe('R-2');

        // previousIds written by the caller are aliases too
        await a.appointments.upsert(f, 'X-2', () => appointment(f, 'X-2', { previousIds: ['X-1'] }));
        expect(await b.appointments.resolveId(f, 'X-1')).toBe('X-2');
      });

      it('loses no update when 50 upserts of one appointment run at once', async () => {
        const f = newFacility();
        await a.appointments.upsert(f, 'count', () => appointment(f, 'count', { queueNumber: '0' }));
        await Promise.all(
          Array.from({ length: 50 }, () =>
            a.appointments.upsert(f, 'count', (cur) => cur && { ...cur, queueNumber: String(Number(cur.queueNumber) + 1) }),
          ),
        );
        expect((await b.appointments.get(f, 'count'))?.queueNumber).toBe('50');
      });
    });

    describe('conversations', () => {
      it('saves, reads and deletes snapshots', async () => {
        const f = newFacility();
        const record = { facilityId: f, contactId: 'C-1', snapshot: { value: { booking: 'pickSlot' }, context: { n: 1 } }, updatedAt: '2025-03-01T00:00:00Z', version: 3 };
        await a.conversations.save(record);
        expect(await b.conversations.get(f, 'C-1')).toEqual(record);
        expect(await b.conversations.get(f, 'C-2')).toBeUndefined();
        await a.conversations.save({ ...record, version: 4 });
        expect((await b.conversations.get(f, 'C-1'))?.version).toBe(4);
        await b.conversations.delete(f, 'C-1');
        expect(await a.conversations.get(f, 'C-1')).toBeUndefined();
      });
    });

    describe('event ledger', () => {
      it('sees an id first once per scope, and again after forget', async () => {
        const scope = `messenger-${newFacility()}`;
        expect(await a.events.firstSeen(scope, 'mid.1')).toBe(true);
        expect(await b.events.firstSeen(scope, 'mid.1')).toBe(false);
        expect(await a.events.firstSeen(`${scope}-other`, 'mid.1')).toBe(true);
        await b.events.forget(scope, 'mid.1');
        expect(await a.events.firstSeen(scope, 'mid.1')).toBe(true);
      });

      it('says true exactly once when two instances see the same id at once', async () => {
        const scope = `webhook-${newFacility()}`;
        const seen = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).events.firstSeen(scope, 'msg_1')));
        expect(seen.filter(Boolean)).toHaveLength(1);
      });

      it('forgets an id once its ttl has passed', async () => {
        const scope = `sms-${newFacility()}`;
        expect(await a.events.firstSeen(scope, 'SM1', 40)).toBe(true);
        await sleep(150);
        expect(await b.events.firstSeen(scope, 'SM1', 40)).toBe(true);
      });
    });
  });
});
