import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../../src/core/domain.js';
import { isStoreError, openStore, type OpenedStore } from '../../src/store/index.js';
import { confirmPhone } from '../../src/identity/verify.js';
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

    describe('patients', () => {
      const link = (contactId: string, verified: boolean, relationship: 'self' | 'child' | 'other' = 'self') => ({ contactId, relationship, verified, how: verified ? ('verified_phone' as const) : ('booked_in_chat' as const), since: new Date().toISOString() });

      it('a phone may belong to several patients; provider ids are unique and never move', async () => {
        const f = newFacility();
        const mum = await a.patients.ensure(f, { patientId: 'P-1' }, { name: 'Ana Reyes', phones: ['+639170000100'] });
        const kid = await b.patients.ensure(f, { temporaryPatientId: 'T-1' }, { name: 'Ben Reyes', phones: ['+639170000100'] });
        expect(kid.id).not.toBe(mum.id);
        expect((await a.patients.byPhone(f, '+639170000100')).map((p) => p.id).sort()).toEqual([mum.id, kid.id].sort());
        expect((await b.patients.byProviderId(f, 'P-1'))?.id).toBe(mum.id);
        expect((await b.patients.byProviderId(f, 'T-1'))?.id).toBe(kid.id);
        // the same ids again resolve to the same records, whatever the init says
        expect((await b.patients.ensure(f, { patientId: 'P-1' }, { name: 'Someone Else' })).name).toBe('Ana Reyes');
        // giving the child the mother's id is refused, reported, and changes no one
        const { patient, conflicts } = await a.patients.update(f, kid.id, (p) => ({ ...p, patientId: 'P-1' }));
        expect(conflicts).toEqual(['P-1']);
        expect(patient.patientId).toBeUndefined();
        expect((await b.patients.byProviderId(f, 'P-1'))?.id).toBe(mum.id);
      });

      it('two instances ensuring the same new provider id at once make one patient', async () => {
        const f = newFacility();
        const made = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).patients.ensure(f, { patientId: 'P-race' }, { name: `n${i}` })));
        expect(new Set(made.map((p) => p.id)).size).toBe(1);
        expect((await a.patients.list(f)).filter((p) => p.patientId === 'P-race')).toHaveLength(1);
      });

      it('links: verified wins over claimed, per contact; moveLinks follows a contact merge; merge keeps every id', async () => {
        const f = newFacility();
        const p = await a.patients.create(f, { name: 'Cara Cruz' });
        await a.patients.link(f, p.id, link('c-1', false, 'child'));
        await b.patients.link(f, p.id, link('c-1', true, 'other'));
        await b.patients.link(f, p.id, link('c-2', false, 'other'));
        const linked = await a.patients.get(f, p.id);
        expect(linked!.links.find((l) => l.contactId === 'c-1')).toMatchObject({ verified: true, relationship: 'child', how: 'verified_phone' });
        expect((await a.patients.ofContact(f, 'c-2')).map((x) => x.id)).toEqual([p.id]);
        await a.patients.moveLinks(f, 'c-2', 'c-3');
        expect(await a.patients.ofContact(f, 'c-2')).toEqual([]);
        expect((await b.patients.ofContact(f, 'c-3')).map((x) => x.id)).toEqual([p.id]);

        const withTmp = await a.patients.ensure(f, { temporaryPatientId: 'T-9' }, { name: 'Cara Cruz' });
        const owner = await a.patients.ensure(f, { patientId: 'P-9' }, { name: 'Cara Cruz' });
        const merged = await b.patients.merge(f, owner.id, withTmp.id);
        expect(merged).toMatchObject({ id: owner.id, patientId: 'P-9', temporaryPatientIds: ['T-9'] });
        expect((await a.patients.byProviderId(f, 'T-9'))?.id).toBe(owner.id);
        expect((await a.patients.get(f, withTmp.id))?.id).toBe(owner.id);
        await a.patients.delete(f, owner.id);
        expect(await b.patients.byProviderId(f, 'P-9')).toBeUndefined();
      });

      it('a second chat identity proving the same phone becomes one contact with the first; concurrent proofs leave one holder', async () => {
        const f = newFacility();
        const phone = '+639170000300';
        const m = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-one');
        const kid = await a.patients.ensure(f, { patientId: 'P-KID' }, { name: 'Kid One', phones: [phone] });
        await confirmPhone(a, f, m.id, phone, 'code', new Date().toISOString());
        const v = await b.contacts.ensureForChannelUser(f, 'viber', 'viber-one');
        await confirmPhone(b, f, v.id, phone, 'code', new Date().toISOString());
        const viaMessenger = await a.contacts.byChannelUser(f, 'messenger', 'psid-one');
        const viaViber = await a.contacts.byChannelUser(f, 'viber', 'viber-one');
        expect(viaMessenger?.id).toBe(viaViber?.id);
        expect((await a.contacts.byVerifiedPhone(f, phone))?.id).toBe(viaViber?.id);
        // the patient behind the phone is linked, verified, to the one contact
        expect((await a.patients.get(f, kid.id))!.links.filter((l) => l.verified).map((l) => l.contactId)).toEqual([viaViber!.id]);

        const other = '+639170000301';
        const racers = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((u, i) => (i % 2 ? a : b).contacts.ensureForChannelUser(f, 'messenger', `psid-${u}`)));
        await Promise.all(racers.map((c, i) => (i % 2 ? a : b).contacts.verifyPhone(f, c.id, other, 'code', new Date().toISOString())));
        const holders = (await a.contacts.list(f)).filter((c) => c.phone === other && c.phoneVerifiedAt);
        const claimed = await a.contacts.byVerifiedPhone(f, other);
        expect(claimed).toBeTruthy();
        expect(holders.map((h) => h.id)).toContain(claimed!.id);
      });

      it('verification codes: three sending slots per number per window, shared by every contact and instance', async () => {
        const f = newFacility();
        const taken = await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? a : b).codes.takeSendSlot(f, '+639170000200', 3, 60_000, `c-${i}`)));
        expect(taken.filter(Boolean)).toHaveLength(3);
        expect(await a.codes.takeSendSlot(f, '+639170000201', 3, 60_000, 'c-x')).toBe(true);
        await a.codes.put(f, 'c-1', { phone: '+639170000200', salt: 's', hash: 'h', expiresAt: new Date(Date.now() + 60_000).toISOString(), tries: 0 }, 60_000);
        expect(await b.codes.get(f, 'c-1')).toMatchObject({ hash: 'h', tries: 0 });
      });
    });

    describe('contacts', () => {
      it('creates one contact per channel user and finds it by every key', async () => {
        const f = newFacility();
        const c = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-1', { locale: 'fil' });
        expect(c).toMatchObject({ facilityId: f, channels: { messenger: { userId: 'psid-1' } }, locale: 'fil', lastChannel: 'messenger' });
        expect((await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-1')).id).toBe(c.id);
        expect((await b.contacts.get(f, c.id))?.id).toBe(c.id);
        expect((await b.contacts.byChannelUser(f, 'messenger', 'psid-1'))?.id).toBe(c.id);
        expect(await b.contacts.byChannelUser(f, 'viber', 'psid-1')).toBeUndefined();
        expect(await b.contacts.byChannelUser(newFacility(), 'messenger', 'psid-1')).toBeUndefined();
        expect((await a.contacts.list(f)).map((x) => x.id)).toEqual([c.id]);
      });

      it('a typed phone claims nothing; a verified phone belongs to one contact and follows changes', async () => {
        const f = newFacility();
        const c = await a.contacts.ensureForChannelUser(f, 'viber', 'vb-1');
        expect(c.channels?.viber).toEqual({ userId: 'vb-1' });
        await a.contacts.update(f, c.id, (x) => ({ ...x, phone: '+639170000001' }));
        expect(await b.contacts.byVerifiedPhone(f, '+639170000001')).toBeUndefined();
        // the desk's number is its own SMS contact, not the chat user who typed it
        const desk = await b.contacts.ensureForPhone(f, '+639170000001');
        expect(desk.id).not.toBe(c.id);
        expect(desk).toMatchObject({ phone: '+639170000001', phoneVerifiedBy: 'sms', channels: { sms: { userId: '+639170000001' } } });

        const other = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-v');
        const r = await a.contacts.verifyPhone(f, other.id, '+639170000002', 'code', new Date().toISOString());
        expect(r.heldBy).toBeUndefined();
        expect((await b.contacts.byVerifiedPhone(f, '+639170000002'))?.id).toBe(other.id);
        // a second contact proving the same phone is told who holds it
        expect((await b.contacts.verifyPhone(f, c.id, '+639170000002', 'code', new Date().toISOString())).heldBy).toBe(other.id);
        // a new typed phone drops the old proof and its claim
        await a.contacts.update(f, other.id, (x) => ({ ...x, phone: '+639170000003', phoneVerifiedAt: undefined, phoneVerifiedBy: undefined }));
        expect(await b.contacts.byVerifiedPhone(f, '+639170000002')).toBeUndefined();
        expect(await b.contacts.byChannelUser(f, 'viber', 'vb-2')).toBeUndefined();
      });

      it('ensureForPhone creates an SMS contact; the number texting in, or the chat user who proved it, is that contact', async () => {
        const f = newFacility();
        const desk = await a.contacts.ensureForPhone(f, '+639170000010', { name: 'Maria' });
        expect(desk).toMatchObject({ phone: '+639170000010', channels: { sms: { userId: '+639170000010' } }, name: 'Maria' });
        expect((await b.contacts.byChannelUser(f, 'sms', '+639170000010'))?.id).toBe(desk.id);
        expect((await b.contacts.ensureForPhone(f, '+639170000010')).id).toBe(desk.id);
        expect((await b.contacts.ensureForChannelUser(f, 'sms', '+639170000010')).id).toBe(desk.id);

        // typed only: the number's texts are not the chat user's
        const typed = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-typed');
        await a.contacts.update(f, typed.id, (x) => ({ ...x, phone: '+639170000012' }));
        expect((await a.contacts.ensureForChannelUser(f, 'sms', '+639170000012')).id).not.toBe(typed.id);

        // proved by a code: they are
        const m = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-phone');
        await a.contacts.verifyPhone(f, m.id, '+639170000011', 'code', new Date().toISOString());
        expect((await a.contacts.ensureForPhone(f, '+639170000011')).id).toBe(m.id);
        const viaSms = await a.contacts.ensureForChannelUser(f, 'sms', '+639170000011');
        expect(viaSms.id).toBe(m.id);
        expect(viaSms.channels?.sms).toEqual({ userId: '+639170000011' });
        expect((await a.contacts.byChannelUser(f, 'sms', '+639170000011'))?.id).toBe(m.id);
      });

      it('merges a desk contact into a channel contact; the old id still leads to the person', async () => {
        const f = newFacility();
        const desk = await a.contacts.ensureForPhone(f, '+639170000020', { name: 'Ana', dob: '1990-01-02' });
        const m = await a.contacts.ensureForChannelUser(f, 'messenger', 'psid-merge');
        const merged = await b.contacts.merge(f, m.id, desk.id);
        expect(merged).toMatchObject({ id: m.id, phone: '+639170000020', phoneVerifiedBy: 'sms', name: 'Ana', channels: { messenger: { userId: 'psid-merge' }, sms: { userId: '+639170000020' } } });
        expect(merged.createdAt).toBe(desk.createdAt);
        expect((await a.contacts.byVerifiedPhone(f, '+639170000020'))?.id).toBe(m.id);
        expect((await a.contacts.byChannelUser(f, 'sms', '+639170000020'))?.id).toBe(m.id);
        expect((await a.contacts.list(f)).map((x) => x.id)).toEqual([m.id]);
        expect((await a.contacts.get(f, desk.id))?.id).toBe(m.id);
        const viaOldId = await a.contacts.update(f, desk.id, (x) => ({ ...x, locale: 'id' }));
        expect(viaOldId.id).toBe(m.id);
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

    describe('de-duplication ledger (the serial queue\'s)', () => {
      const item = (id: string) => ({ id, key: `k-${id}`, payload: '{}', lane: 1 as const });
      it('accepts an id exactly once when two instances push it at once', async () => {
        const id = `msg_1-${newFacility()}`;
        const pushed = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).serial.push('ledger', item(id), 60_000)));
        expect(pushed.filter(Boolean)).toHaveLength(1);
        expect(await a.serial.seen(id)).toBe(true);
      });

      it('forgets an id once its retention has passed', async () => {
        const id = `SM1-${newFacility()}`;
        expect(await a.serial.push('ledger', item(id), 40)).toBe(true);
        expect(await b.serial.push('ledger', item(id), 40)).toBe(false);
        await sleep(150);
        expect(await a.serial.seen(id)).toBe(false);
        expect(await b.serial.push('ledger', item(id), 40)).toBe(true);
      });
    });
  });
});
