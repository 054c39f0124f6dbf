/**
 * Issue 10, privacy operations at the store, on SQLite, Redis and Postgres for real: exporting and erasing
 * one person (every kv value, sorted-set member and claim of the backend is then read back with the
 * backend's own client: none may hold their name, phone, date of birth or national id), and the
 * retention sweeper with a clock the test controls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../../src/core/domain.js';
import { createEmbeddedQueue } from '../../src/jobs/embedded.js';
import type { SendRecord } from '../../src/jobs/outbox.js';
import { listAudit, recordAudit } from '../../src/store/audit.js';
import { eraseContact, exportContact } from '../../src/store/erasure.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { DAY_MS } from '../../src/store/keys.js';
import { sweep } from '../../src/store/retention.js';
import { holding, rawScan } from './raw-scan.js';
import { POSTGRES_URL, REDIS_URL, shouldSkip, uniqueNamespace } from './services.js';

const dir = await mkdtemp(join(tmpdir(), 'fd-privacy-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const BACKENDS = [
  { name: 'sqlite', url: `sqlite:${join(dir, 'store.sqlite')}`, skip: false },
  { name: 'redis', url: REDIS_URL, skip: await shouldSkip(REDIS_URL) },
  { name: 'postgres', url: POSTGRES_URL, skip: await shouldSkip(POSTGRES_URL) },
];

const F = 'st-lukes';
const A = { name: 'Rosalinda Bautista', phone: '+639171112222', dob: '1988-02-29', nationalId: 'PHNID778899', psid: 'psid-rosalinda-01' };
const CHILD = { name: 'Miguel Bautista', dob: '2015-06-01' };
const B = { name: 'Eduardo Reyes', phone: '+639183334444', dob: '1979-12-01', viber: 'viber-eduardo-01' };
const iso = (ms: number) => new Date(ms).toISOString();

function appointment(id: string, over: Partial<Appointment>): Appointment {
  return { facilityId: F, appointmentId: id, status: 'SCHEDULED', start: '2031-03-04T09:00:00+08:00', calendarId: 'cal-1', appointmentTypeId: 'consult', patient: { name: 'x', phone: '+630000000' }, ...over } as Appointment;
}

describe.each(BACKENDS)('privacy operations on $name', (backend) => {
  describe.skipIf(backend.skip)('one person', () => {
    const namespace = uniqueNamespace(`privacy-${backend.name}`);
    let store: OpenedStore;
    const ids = {} as Record<'a' | 'aOld' | 'b' | 'patientA' | 'child' | 'patientB', string>;

    beforeAll(async () => {
      store = await openStore(backend.url, { namespace });
      const { kv, indexes } = store.backend;
      const now = Date.now();

      // A: a Messenger contact that an older SMS contact of theirs was merged into
      const a = await store.contacts.ensureForChannelUser(F, 'messenger', A.psid);
      await store.contacts.update(F, a.id, (c) => ({ ...c, name: A.name, phone: A.phone, dob: A.dob, nationalId: A.nationalId, consentAt: iso(now) }));
      const aOld = await store.contacts.ensureForChannelUser(F, 'dev', 'dev-rosalinda');
      await store.contacts.update(F, aOld.id, (c) => ({ ...c, name: A.name }));
      await store.contacts.merge(F, a.id, aOld.id);
      const b = await store.contacts.ensureForChannelUser(F, 'viber', B.viber);
      await store.contacts.update(F, b.id, (c) => ({ ...c, name: B.name, phone: B.phone, dob: B.dob }));
      Object.assign(ids, { a: a.id, aOld: aOld.id, b: b.id });

      // patients: A's own, a child both parents act for, B's own
      const since = iso(now);
      const pa = await store.patients.ensure(F, { patientId: 'P-9001' }, { name: A.name, dob: A.dob, nationalId: A.nationalId, phones: [A.phone], links: [] });
      await store.patients.link(F, pa.id, { contactId: a.id, relationship: 'self', verified: true, how: 'verified_phone', since });
      const child = await store.patients.ensure(F, { patientId: 'P-9002' }, { name: CHILD.name, dob: CHILD.dob, phones: [A.phone, B.phone], links: [] });
      await store.patients.link(F, child.id, { contactId: a.id, relationship: 'child', verified: true, how: 'verified_phone', since });
      await store.patients.link(F, child.id, { contactId: b.id, relationship: 'child', verified: true, how: 'staff', since });
      const pb = await store.patients.ensure(F, { patientId: 'P-9003' }, { name: B.name, dob: B.dob, phones: [B.phone], links: [] });
      await store.patients.link(F, pb.id, { contactId: b.id, relationship: 'self', verified: true, how: 'staff', since });
      Object.assign(ids, { patientA: pa.id, child: child.id, patientB: pb.id });

      // the mirror: A's appointment, the child's (booked by A, on A's phone), B's
      await store.appointments.upsert(F, 'APPT-A', () => appointment('APPT-A', { patientId: 'P-9001', patient: { name: A.name, phone: A.phone, dob: A.dob, nationalId: A.nationalId }, contactId: a.id, patientRef: pa.id, bookedBy: a.id, source: 'bot' }));
      await store.appointments.upsert(F, 'APPT-CHILD', () => appointment('APPT-CHILD', { patientId: 'P-9002', patient: { name: CHILD.name, phone: A.phone, dob: CHILD.dob }, contactId: a.id, patientRef: child.id, bookedBy: a.id }));
      await store.appointments.upsert(F, 'APPT-B', () => appointment('APPT-B', { patientId: 'P-9003', patient: { name: B.name, phone: B.phone, dob: B.dob }, contactId: b.id, patientRef: pb.id }));

      // conversation, turn record, pushed choices, inbox, attention, verification code (each as its module writes it)
      for (const [cid, who] of [[a.id, A], [b.id, B]] as const) {
        await store.conversations.save({ facilityId: F, contactId: cid, snapshot: { context: { answers: { name: who.name, dob: who.dob, phone: who.phone } } }, updatedAt: iso(now), version: 3 });
        await kv.set(`engine:turn:${F}:${cid}`, { key: `dev:m-${cid}`, at: iso(now), conversation: { action: 'keep' }, patches: [], appointments: [], outbound: [{ id: `dev:m-${cid}:0`, reply: { text: `Thank you, ${who.name}` } }] });
      }
      await kv.set(`engine:push:${F}:${a.id}`, { choices: [{ id: 'rem:confirm', label: `Confirm for ${A.name}` }], at: iso(now) }, 14 * DAY_MS);
      await kv.set(`engine:mirror-refreshed:${F}:${a.id}`, now);
      await store.surveys.ask(F, a.id, { appointmentId: 'APPT-A', askedAt: iso(now), until: iso(now + 2 * DAY_MS), lowScore: 6 });
      await store.surveys.answer(F, a.id, { appointmentId: 'APPT-A', score: 4 }, iso(now));
      await store.surveys.answer(F, a.id, { appointmentId: 'APPT-A', comment: `this is ${A.name}, call me on ${A.phone}` }, iso(now));
      await kv.set(`inbox:item:${F}:messenger:m-late`, { key: 'messenger:m-late', facilityId: F, contactId: a.id, msg: { id: 'm-late', facilityId: F, channel: 'messenger', channelUserId: A.psid, sentAt: iso(now), kind: 'message', text: `my national id is ${A.nationalId}` }, attempts: 0 });
      await indexes.add(`inbox:q:${F}:${a.id}`, 'messenger:m-late', now * 1000);
      await indexes.add('inbox:pending', JSON.stringify([F, a.id]));
      await kv.set(`attention:item:${F}:h-1`, { id: 'h-1', facilityId: F, kind: 'handoff', contactId: a.id, channel: 'messenger', at: iso(now), reason: 'asked_for_staff' }, 30 * DAY_MS);
      await indexes.add(`attention:${F}`, 'h-1', now);
      await kv.set(`otp:${F}:${a.id}`, { phone: A.phone, salt: 's', hash: 'h', expiresAt: iso(now + 600_000), tries: 0 }, 600_000);
      await indexes.claim(`otp-slot:${F}:${A.phone}:1`, a.id, 3_600_000);

      // the outbox: a send record with its receipt index, a batch still queued for A, jobs carrying A's messages
      const rec: SendRecord = { id: 'messenger:m-a:0', facilityId: F, channel: 'messenger', contactId: a.id, purpose: 'response', status: 'sent', attempts: 1, platformMessageIds: ['mid.A1'], createdAt: iso(now), updatedAt: iso(now) };
      await kv.set(`outbox:rec:${rec.id}`, rec, 90 * DAY_MS);
      await kv.set('outbox:pmid:messenger:mid.A1', rec.id, 90 * DAY_MS);
      await kv.set(`outbox:rec:viber:m-b:0`, { ...rec, id: 'viber:m-b:0', channel: 'viber', contactId: b.id, platformMessageIds: [] }, 90 * DAY_MS);
      const msgToA = { id: 'messenger:m-a:1', facilityId: F, channel: 'messenger', channelUserId: A.psid, purpose: 'response', locale: 'en', reply: { text: `See you, ${A.name}` }, contactId: a.id };
      await kv.set('outbox:batch:send-batch:aaa', [msgToA], 90 * DAY_MS);
      await indexes.add(`outbox:order:${F}:messenger:${A.psid}`, 'send-batch:aaa', now * 1000);
      await kv.set('jobs:job:send-batch:done-a', { id: 'send-batch:done-a', name: 'outbox.batch', payload: { messages: [msgToA] }, runAt: now, maxAttempts: 3, attemptsMade: 1, state: 'done', createdAt: now, updatedAt: now }, 30 * DAY_MS);
      await kv.set('jobs:job:send:pending-a', { id: 'send:pending-a', name: 'outbox.send', payload: { ...msgToA, id: 'messenger:m-a:2', channel: 'sms', channelUserId: A.phone }, runAt: now + DAY_MS, maxAttempts: 3, attemptsMade: 0, state: 'pending', createdAt: now, updatedAt: now });
      await indexes.add('jobs:due', 'send:pending-a', now + DAY_MS);
      await kv.set('jobs:job:pwh:done-a', { id: 'pwh:done-a', name: 'provider-event', payload: { facilityId: F, webhookId: 'w1', event: { type: 'appointmentCreated', appointment: { patient: { name: A.name, phone: A.phone, dob: A.dob } } } }, runAt: now, maxAttempts: 8, attemptsMade: 1, state: 'done', createdAt: now, updatedAt: now }, 30 * DAY_MS);
    });
    afterAll(async () => {
      await store?.backend.clearNamespace();
      await store?.close();
    });

    it('before: the backend holds the person, under many key families', async () => {
      const found = holding(await rawScan(backend.url, namespace), [A.name, A.phone, A.dob, A.nationalId]);
      expect(found.length).toBeGreaterThan(10);
    });

    it('export: everything held about the person, as JSON', async () => {
      const data = (await exportContact(store, F, ids.aOld))!; // an id from before the merge still reaches them
      expect(data.contact).toMatchObject({ id: ids.a, name: A.name, phone: A.phone, nationalId: A.nationalId });
      expect(data.mergedIds).toEqual([ids.aOld]);
      expect(data.patients.map((p) => p.id).sort()).toEqual([ids.patientA, ids.child].sort());
      expect(data.appointments.map((x) => x.appointmentId).sort()).toEqual(['APPT-A', 'APPT-CHILD']);
      expect(data.conversation?.snapshot).toMatchObject({ context: { answers: { name: A.name } } });
      expect(data.sendRecords).toEqual([expect.objectContaining({ id: 'messenger:m-a:0', contactId: ids.a })]);
      expect(data.attention).toEqual([expect.objectContaining({ id: 'h-1' })]);
      expect(data.survey).toMatchObject({ appointmentId: 'APPT-A', score: 4, comment: `this is ${A.name}, call me on ${A.phone}` });
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
      expect(await exportContact(store, F, 'nobody')).toBeUndefined();
    });

    it('erasure: no key anywhere holds their name, phone, date of birth or national id', async () => {
      const report = (await eraseContact(store, F, ids.a))!;
      expect(report).toMatchObject({ contactId: ids.a, mergedIds: [ids.aOld], patientsDeleted: [ids.patientA], patientsUnlinked: [ids.child], sendRecordsDeleted: 1 });
      expect(report.appointmentsAnonymized.sort()).toEqual(['APPT-A', 'APPT-CHILD']);
      expect(report.jobsRedacted).toBe(3);

      const entries = await rawScan(backend.url, namespace);
      expect(holding(entries, [A.name, A.phone, A.dob, A.nationalId, A.psid])).toEqual([]);
      expect(holding(entries, [ids.a, ids.aOld]).filter((k) => !k.startsWith('kv jobs:job:'))).toEqual([]);
    });

    it('erasure: the person is gone from every lookup; the appointments stay, without them', async () => {
      expect(await store.contacts.get(F, ids.a)).toBeUndefined();
      expect(await store.contacts.get(F, ids.aOld)).toBeUndefined();
      expect(await store.contacts.byChannelUser(F, 'messenger', A.psid)).toBeUndefined();
      expect(await store.patients.get(F, ids.patientA)).toBeUndefined();
      expect(await store.patients.byProviderId(F, 'P-9001')).toBeUndefined();
      expect(await store.patients.ofContact(F, ids.a)).toEqual([]);
      expect(await store.appointments.byContact(F, ids.a)).toEqual([]);
      expect(await store.conversations.get(F, ids.a)).toBeUndefined();
      const apptA = (await store.appointments.get(F, 'APPT-A'))!;
      expect(apptA).toMatchObject({ status: 'SCHEDULED', patientId: 'P-9001', patient: { name: '(erased)', phone: '' } });
      expect(apptA.contactId).toBeUndefined();
      expect(apptA.patientRef).toBeUndefined();
      const child = (await store.appointments.get(F, 'APPT-CHILD'))!;
      expect(child).toMatchObject({ patientRef: ids.child, patient: { name: CHILD.name, phone: '' } });
      expect(child.bookedBy).toBeUndefined();
      expect((await store.appointments.byDay(F, '2031-03-04')).map((x) => x.appointmentId).sort()).toEqual(['APPT-A', 'APPT-B', 'APPT-CHILD']);
      expect((await store.backend.kv.get<{ state: string; payload: unknown }>('jobs:job:send:pending-a'))).toMatchObject({ state: 'canceled', payload: null });
      expect(await store.backend.indexes.members('jobs:due')).not.toContain('send:pending-a');
      expect((await store.backend.kv.get<{ state: string; payload: unknown }>('jobs:job:pwh:done-a'))).toMatchObject({ state: 'done', payload: null });
    });

    it('erasure: the other parent, their patients and their data are untouched', async () => {
      expect(await store.contacts.get(F, ids.b)).toMatchObject({ name: B.name, phone: B.phone });
      expect((await store.contacts.byChannelUser(F, 'viber', B.viber))?.id).toBe(ids.b);
      const child = (await store.patients.get(F, ids.child))!;
      expect(child.links.map((l) => l.contactId)).toEqual([ids.b]);
      expect(child.phones).toEqual([B.phone]);
      expect((await store.patients.ofContact(F, ids.b)).map((p) => p.id).sort()).toEqual([ids.child, ids.patientB].sort());
      expect((await store.appointments.get(F, 'APPT-B'))?.patient).toMatchObject({ name: B.name, phone: B.phone });
      expect((await store.conversations.get(F, ids.b))?.snapshot).toMatchObject({ context: { answers: { name: B.name } } });
      expect(await store.backend.kv.get('outbox:rec:viber:m-b:0')).toMatchObject({ contactId: ids.b });
      expect(holding(await rawScan(backend.url, namespace), [B.name, B.phone]).length).toBeGreaterThan(5);
    });

    it('erasing again: nothing to erase', async () => {
      expect(await eraseContact(store, F, ids.a)).toBeUndefined();
    });
  });

  describe.skipIf(backend.skip)('retention sweep', () => {
    const namespace = uniqueNamespace(`retention-${backend.name}`);
    let store: OpenedStore;
    const t0 = Date.now();
    const daysAgo = (d: number) => iso(t0 - d * DAY_MS);

    beforeAll(async () => {
      store = await openStore(backend.url, { namespace });
    });
    afterAll(async () => {
      await store?.backend.clearNamespace();
      await store?.close();
    });

    it('deletes what outlived its period, keeps what did not, and redacts finished job payloads', async () => {
      const { kv, indexes } = store.backend;
      // conversations: 30 days after their last activity
      await store.conversations.save({ facilityId: F, contactId: 'c-old', snapshot: { name: 'Old Convo Person' }, updatedAt: daysAgo(31), version: 1 });
      await store.conversations.save({ facilityId: F, contactId: 'c-new', snapshot: { name: 'New Convo Person' }, updatedAt: daysAgo(29), version: 1 });
      // turn records and refresh marks: 7 days
      await kv.set(`engine:turn:${F}:c-old`, { key: 'k', at: daysAgo(8), outbound: [] });
      await kv.set(`engine:turn:${F}:c-new`, { key: 'k', at: daysAgo(6), outbound: [] });
      await kv.set(`engine:mirror-refreshed:${F}:c-old`, t0 - 8 * DAY_MS);
      // an inbox entry that never got its turn: 7 days
      await kv.set(`inbox:item:${F}:sms:SM-old`, { key: 'sms:SM-old', facilityId: F, contactId: 'c-old', msg: { text: 'stale message', sentAt: daysAgo(8) }, attempts: 5 });
      await indexes.add(`inbox:q:${F}:c-old`, 'sms:SM-old', (t0 - 8 * DAY_MS) * 1000);
      await indexes.add('inbox:pending', JSON.stringify([F, 'c-old']));
      // send records: 90 days (with their receipt index and the undeliverable list)
      const rec = (id: string, d: number): SendRecord => ({ id, facilityId: F, channel: 'sms', contactId: 'c-old', purpose: 'reminder', status: 'undeliverable', attempts: 1, platformMessageIds: [`SM${id}`], createdAt: daysAgo(d), updatedAt: daysAgo(d) });
      await kv.set('outbox:rec:r-old', rec('r-old', 91));
      await kv.set('outbox:rec:r-new', rec('r-new', 89));
      await kv.set('outbox:pmid:sms:SMr-old', 'r-old');
      await indexes.add(`outbox:undeliverable:${F}`, 'r-old', t0 - 91 * DAY_MS);
      await indexes.add(`outbox:undeliverable:${F}`, 'r-new', t0 - 89 * DAY_MS);
      // a broadcast: with the send records
      await kv.set('broadcast:bc-old', { id: 'bc-old', request: { facilityId: F }, createdAt: daysAgo(91), recipients: [] });
      await indexes.claim('broadcast-claim:bc-old', 'bc-old');
      // the mirror: 365 days after the start
      await store.appointments.upsert(F, 'APPT-OLD', () => appointment('APPT-OLD', { start: iso(t0 - 400 * DAY_MS).replace('Z', '+00:00'), patient: { name: 'Ancient Patient', phone: '+639990001111' }, contactId: 'c-old', patientId: 'P-OLD' }));
      await store.appointments.upsert(F, 'APPT-RECENT', () => appointment('APPT-RECENT', { start: iso(t0 - 10 * DAY_MS).replace('Z', '+00:00'), patient: { name: 'Recent Patient', phone: '+639990002222' } }));
      // an audit entry: 730 days
      await recordAudit(store, { actor: 'desk', action: 'contact.export', facilityId: F, targets: { contactId: 'c-x' }, at: new Date(t0 - 731 * DAY_MS) });
      await recordAudit(store, { actor: 'desk', action: 'contact.export', facilityId: F, targets: { contactId: 'c-y' }, at: new Date(t0 - DAY_MS) });
      // a value whose TTL ran out (SQLite and Postgres keep the row until read)
      await kv.set('engine:done:sms:SM-expired', true, 1);
      await indexes.claim('seen:inbound:sms:SM-expired', 'seen', 1);
      // a finished job, run by the embedded queue on a clock 8 days back
      let clock = t0 - 8 * DAY_MS;
      const queue = createEmbeddedQueue({ backend: store.backend, namespace: 'jobs', now: () => clock });
      queue.register('outbox.send', async () => undefined);
      await queue.enqueue({ id: 'send:old-1', name: 'outbox.send', payload: { channelUserId: '+639995556666', reply: { text: 'Your appointment, Old Job Person' } } });
      expect(await queue.runDue()).toBe(1);
      clock = t0;
      await queue.enqueue({ id: 'send:new-1', name: 'outbox.send', payload: { reply: { text: 'fresh' } } });
      expect(await queue.runDue()).toBe(1);
      await sleep(10);

      const r = await sweep(store, t0);
      expect(r).toMatchObject({ conversations: 1, appointments: 1, broadcasts: 1, audit: 1, jobPayloads: 1 });
      expect(r.sendRecords).toBe(1);
      expect(r.turnRecords).toBe(2);
      expect(r.inbox).toBeGreaterThanOrEqual(1);

      expect(await store.conversations.get(F, 'c-old')).toBeUndefined();
      expect(await store.conversations.get(F, 'c-new')).toBeDefined();
      expect(await kv.get(`engine:turn:${F}:c-old`)).toBeUndefined();
      expect(await kv.get(`engine:turn:${F}:c-new`)).toBeDefined();
      expect(await indexes.members(`inbox:q:${F}:c-old`)).toEqual([]);
      expect(await indexes.members('inbox:pending')).not.toContain(JSON.stringify([F, 'c-old']));
      expect(await kv.get('outbox:rec:r-old')).toBeUndefined();
      expect(await kv.get('outbox:rec:r-new')).toBeDefined();
      expect(await kv.get('outbox:pmid:sms:SMr-old')).toBeUndefined();
      expect(await indexes.members(`outbox:undeliverable:${F}`)).toEqual(['r-new']);
      expect(await indexes.claimedBy('broadcast-claim:bc-old')).toBeUndefined();
      expect(await store.appointments.get(F, 'APPT-OLD')).toBeUndefined();
      expect(await store.appointments.byContact(F, 'c-old')).toEqual([]);
      expect(await store.appointments.byPatientId(F, 'P-OLD')).toEqual([]);
      expect(await store.appointments.get(F, 'APPT-RECENT')).toBeDefined();
      expect((await listAudit(store, [F])).map((e) => e.targets?.contactId)).toEqual(['c-y']);
      // the finished job keeps its record (its id still dedupes) without the payload
      expect(await queue.get('send:old-1')).toMatchObject({ state: 'done' });
      expect(await kv.get('jobs:job:send:old-1')).toMatchObject({ payload: null, redacted: true });
      expect(await queue.enqueue({ id: 'send:old-1', name: 'outbox.send', payload: {} })).toBe(false);
      expect(await kv.get('jobs:job:send:new-1')).toMatchObject({ payload: { reply: { text: 'fresh' } } });

      const raw = await rawScan(backend.url, namespace);
      expect(holding(raw, ['Old Convo Person', 'stale message', 'Ancient Patient', 'Old Job Person', '+639995556666'])).toEqual([]);
      expect(raw.filter((e) => e.key.endsWith('SM-expired'))).toEqual([]);
      expect(holding(raw, ['New Convo Person', 'Recent Patient']).length).toBeGreaterThan(0);
    });

    it('erases contacts inactive for two years, and keeps one with an appointment still ahead', async () => {
      const idle = await store.contacts.ensureForChannelUser(F, 'viber', 'viber-idle');
      await store.contacts.update(F, idle.id, (c) => ({ ...c, name: 'Idle Person', phone: '+639171230000' }));
      await store.conversations.save({ facilityId: F, contactId: idle.id, snapshot: {}, updatedAt: iso(t0), version: 1 });
      const busy = await store.contacts.ensureForChannelUser(F, 'viber', 'viber-busy');
      await store.contacts.update(F, busy.id, (c) => ({ ...c, name: 'Busy Person' }));
      await store.appointments.upsert(F, 'APPT-FAR', () => appointment('APPT-FAR', { start: iso(t0 + 700 * DAY_MS).replace('Z', '+00:00'), contactId: busy.id, patient: { name: 'Busy Person', phone: '+639171239999' } }));
      const orphan = await store.patients.create(F, { name: 'Orphan Patient', links: [] });

      const later = t0 + 731 * DAY_MS;
      const r = await sweep(store, later, { appointmentsDays: 100_000 });
      expect(r.contacts).toBeGreaterThanOrEqual(1);
      expect(await store.contacts.get(F, idle.id)).toBeUndefined();
      expect(await store.contacts.byChannelUser(F, 'viber', 'viber-idle')).toBeUndefined();
      expect(await store.contacts.get(F, busy.id)).toMatchObject({ name: 'Busy Person' });
      expect(await store.patients.get(F, orphan.id)).toBeUndefined();
      expect(holding(await rawScan(backend.url, namespace), ['Idle Person', '+639171230000', 'Orphan Patient'])).toEqual([]);
      const audit = await listAudit(store, [F]);
      expect(audit.find((e) => e.action === 'contact.erase-inactive')).toMatchObject({ actor: 'retention', targets: { contactIds: expect.arrayContaining([idle.id]) } });
    });
  });
});
