/**
 * Issue 9: the new version starts on a store written by the previous one (contacts holding patient ids,
 * any typed phone claimed, a chat contact merged with a desk contact by a typed phone). Each is migrated
 * once, at start-up, and nothing is lost: every appointment keeps a contact, conversations stay.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { FACILITY as F, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const dir = mkdtempSync(join(tmpdir(), 'fd-migrate-'));
const STORE = `sqlite:${join(dir, 'old.sqlite')}`;
const NOW = '2026-11-20T08:00:00.000Z';
const PHONE_A = '+639170000401'; // typed in Messenger, never proved
const PHONE_B = '+639170000402'; // a desk contact: SMS only
const PHONE_C = '+639170000403'; // typed in Messenger, merged with the desk contact of that number

/** the previous version's key layout, written raw */
async function writePreviousVersion() {
  const s = await openStore(STORE);
  const { kv, indexes } = s.backend;
  const contact = async (c: Record<string, unknown>, claims: string[]) => {
    await kv.set(`contact:${F}:${c.id}`, { facilityId: F, createdAt: NOW, updatedAt: NOW, ...c });
    for (const k of claims) await indexes.claim(k, c.id as string);
    for (const pid of [c.patientId, ...((c.temporaryPatientIds as string[]) ?? [])].filter(Boolean)) await indexes.add(`contact-pid:${F}:${pid}`, c.id as string, 1);
    await indexes.add(`contacts:${F}`, c.id as string, 1);
  };
  await contact({ id: 'A', name: 'Ana Uno', dob: '1990-01-01', phone: PHONE_A, consentAt: NOW, patientId: 'P-1', temporaryPatientIds: ['T-1'], messenger: { psid: 'psid-a' }, lastChannel: 'messenger' }, [`contact-ch:${F}:messenger:psid-a`, `contact-phone:${F}:${PHONE_A}`]);
  await contact({ id: 'B', name: 'Ben Dos', phone: PHONE_B, patientId: 'P-2', sms: { phone: PHONE_B, optedOut: false }, lastChannel: 'sms' }, [`contact-ch:${F}:sms:${PHONE_B}`, `contact-phone:${F}:${PHONE_B}`]);
  await contact(
    { id: 'C', name: 'Cara Tres', phone: PHONE_C, patientId: 'P-3', messenger: { psid: 'psid-c' }, sms: { phone: PHONE_C, optedOut: false, lastInboundAt: NOW }, lastChannel: 'messenger' },
    [`contact-ch:${F}:messenger:psid-c`, `contact-ch:${F}:sms:${PHONE_C}`, `contact-phone:${F}:${PHONE_C}`],
  );
  const appt = async (id: string, contactId: string, patientId: string, source: string) => {
    const a = { facilityId: F, appointmentId: id, status: 'SCHEDULED', start: '2026-12-20T09:00:00+08:00', calendarId: '101', appointmentTypeId: '1001', patientId, patient: { name: 'x', phone: '+639170000499' }, contactId, source };
    await kv.set(`appt:${F}:${id}`, a);
    await indexes.add(`appt-day:${F}:2026-12-20`, id, 1);
    await indexes.add(`appt-contact:${F}:${contactId}`, id, 1);
    await indexes.add(`appt-pid:${F}:${patientId}`, id, 1);
  };
  await appt('A1', 'A', 'P-1', 'bot');
  await appt('B1', 'B', 'P-2', 'staff');
  await appt('C1', 'C', 'P-3', 'staff');
  await appt('C2', 'C', 'P-3', 'bot');
  await kv.set(`conv:${F}:A`, { facilityId: F, contactId: 'A', snapshot: { status: 'active', value: 'menu' }, updatedAt: NOW, version: 3 });
  await s.close();
}

let platforms: Platforms;
beforeAll(async () => {
  platforms = await startPlatforms();
  await writePreviousVersion();
});
afterAll(async () => platforms?.close());

describe('identity migration at start-up', () => {
  it('splits contacts from patients, marks typed phones unverified, loses nothing, runs once', async () => {
    const fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: STORE }));
    try {
      const { contacts, patients, appointments, conversations } = fd.store;
      // A: a typed phone is no proof and claims nothing
      const a = (await contacts.get(F, 'A'))!;
      expect(a.phoneVerifiedAt).toBeUndefined();
      expect(a).not.toHaveProperty('patientId');
      expect(await contacts.byVerifiedPhone(F, PHONE_A)).toBeUndefined();
      const p1 = (await patients.byProviderId(F, 'P-1'))!;
      expect(p1).toMatchObject({ name: 'Ana Uno', temporaryPatientIds: ['T-1'] });
      expect(p1.links).toMatchObject([{ contactId: 'A', relationship: 'self', verified: false, consentAt: NOW }]);
      expect((await patients.byProviderId(F, 'T-1'))?.id).toBe(p1.id);
      expect(await appointments.get(F, 'A1')).toMatchObject({ contactId: 'A', bookedBy: 'A', patientRef: p1.id });

      // B: the desk's SMS contact is its number
      expect((await contacts.byVerifiedPhone(F, PHONE_B))?.id).toBe('B');
      expect((await patients.byProviderId(F, 'P-2'))!.links).toMatchObject([{ contactId: 'B', verified: true }]);

      // C: merged by a typed phone before; the number is its own contact again, with the desk's appointment
      const c = (await contacts.get(F, 'C'))!;
      expect(c.channels?.sms).toBeUndefined();
      expect(c.phoneVerifiedAt).toBeUndefined();
      const sms = (await contacts.byChannelUser(F, 'sms', PHONE_C))!;
      expect(sms.id).not.toBe('C');
      expect(sms).toMatchObject({ phone: PHONE_C, phoneVerifiedBy: 'sms', channels: { sms: { userId: PHONE_C, lastInboundAt: NOW } } });
      expect(await appointments.get(F, 'C1')).toMatchObject({ contactId: sms.id });
      expect(await appointments.get(F, 'C2')).toMatchObject({ contactId: 'C', bookedBy: 'C' });
      const p3 = (await patients.byProviderId(F, 'P-3'))!;
      expect(p3.links.find((l) => l.contactId === 'C')?.verified).toBe(false);
      expect(p3.links.find((l) => l.contactId === sms.id)?.verified).toBe(true);

      // nothing lost
      for (const id of ['A1', 'B1', 'C1', 'C2']) expect((await appointments.get(F, id))?.contactId).toBeTruthy();
      expect((await conversations.get(F, 'A'))?.version).toBe(3);
      expect(await contacts.list(F)).toHaveLength(4);
    } finally {
      await fd.close();
    }
    // a second start changes nothing
    const again = await startFrontdesk(testConfig({ platformsUrl: platforms.url, store: STORE }));
    try {
      expect(await again.store.contacts.list(F)).toHaveLength(4);
      expect(await again.store.patients.list(F)).toHaveLength(3);
    } finally {
      await again.close();
    }
  });
});
