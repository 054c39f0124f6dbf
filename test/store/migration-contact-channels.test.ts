/**
 * Issue 12: a contact's per-channel state moved from one field per platform (`messenger: {psid}`,
 * `viber: {userId, subscribed}`, `sms: {phone, optedOut}`, `dev`) to `channels[name]`, owned by each
 * channel's module. Records written by the previous version are read in today's shape on every backend
 * path (get, lookups by address, list, update, merge, erasure, retention), keep their rules' state
 * (a Viber user not subscribed, an SMS number opted out), and are written back in today's shape.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseContact } from '../../src/store/erasure.js';
import { openStore } from '../../src/store/index.js';
import { upgradeContact } from '../../src/store/migrations/contact-channels.js';
import type { Store } from '../../src/store/types.js';
import { reachable } from '../../src/sync/broadcast.js';

const F = 'st-lukes';
const AT = '2026-11-20T08:00:00.000Z';
const dir = mkdtempSync(join(tmpdir(), 'fd-contact-channels-'));
let store: Store & { close(): Promise<void> };

/** the previous version's record, written raw, with its address claims and list entry */
async function previous(c: Record<string, unknown>, claims: string[]) {
  await store.backend.kv.set(`contact:${F}:${c.id}`, { facilityId: F, createdAt: AT, updatedAt: AT, ...c });
  for (const k of claims) await store.backend.indexes.claim(k, c.id as string);
  await store.backend.indexes.add(`contacts:${F}`, c.id as string, 1);
}

beforeAll(async () => {
  store = await openStore(`sqlite:${join(dir, 'old.sqlite')}`);
  await previous({ id: 'M', messenger: { psid: 'psid-1', lastInboundAt: AT }, lastChannel: 'messenger' }, [`contact-ch:${F}:messenger:psid-1`]);
  await previous({ id: 'V', viber: { userId: 'vb-1', subscribed: false }, phone: '+639170000501', lastChannel: 'viber' }, [`contact-ch:${F}:viber:vb-1`]);
  await previous({ id: 'S', sms: { phone: '+639170000502', optedOut: true, lastInboundAt: AT }, phone: '+639170000502', phoneVerifiedAt: AT, phoneVerifiedBy: 'sms' }, [
    `contact-ch:${F}:sms:+639170000502`,
    `contact-vphone:${F}:+639170000502`,
  ]);
  await previous({ id: 'D', dev: { userId: 'dev-1' }, messenger: { psid: 'psid-2' } }, [`contact-ch:${F}:dev:dev-1`, `contact-ch:${F}:messenger:psid-2`]);
});
afterAll(async () => {
  await store?.close();
});

describe('contacts of the previous version', () => {
  it('read in today’s shape, by id, by address and in the list, with no per-platform field left', async () => {
    expect(await store.contacts.get(F, 'M')).toMatchObject({ channels: { messenger: { userId: 'psid-1', lastInboundAt: AT } } });
    const viber = (await store.contacts.byChannelUser(F, 'viber', 'vb-1'))!;
    expect(viber.channels).toEqual({ viber: { userId: 'vb-1', subscribed: false } });
    expect((await store.contacts.byVerifiedPhone(F, '+639170000502'))!.channels).toEqual({ sms: { userId: '+639170000502', optedOut: true, lastInboundAt: AT } });
    const all = await store.contacts.list(F);
    expect(all.map((c) => c.id).sort()).toEqual(['D', 'M', 'S', 'V']);
    for (const c of all) for (const legacy of ['messenger', 'viber', 'sms', 'dev']) expect(c, `${c.id}.${legacy}`).not.toHaveProperty(legacy);
    expect(all.find((c) => c.id === 'D')!.channels).toEqual({ dev: { userId: 'dev-1' }, messenger: { userId: 'psid-2' } });
  });

  it('keep their rules’ state: the unsubscribed Viber user with a phone is reachable by fallback, the opted-out number is not', async () => {
    expect(reachable(await store.contacts.get(F, 'V'))).toBeUndefined();
    expect(reachable(await store.contacts.get(F, 'S'))).toBe('opted_out');
    // without the phone to fall back on, the unsubscribed Viber user is skipped, as before
    const { phone: _p, ...noPhone } = (await store.contacts.get(F, 'V'))!;
    expect(reachable(noPhone)).toBe('not_subscribed');
  });

  it('are written back in today’s shape on their next update, claims intact', async () => {
    await store.contacts.update(F, 'M', (c) => ({ ...c, locale: 'fil' }));
    const raw = await store.backend.kv.get<Record<string, unknown>>(`contact:${F}:M`);
    expect(raw).not.toHaveProperty('messenger');
    expect(raw).toMatchObject({ locale: 'fil', channels: { messenger: { userId: 'psid-1' } } });
    expect((await store.contacts.byChannelUser(F, 'messenger', 'psid-1'))?.id).toBe('M');
  });

  it('merge per channel: each side keeps its own channels', async () => {
    const merged = await store.contacts.merge(F, 'V', 'D');
    expect(merged.channels).toEqual({ viber: { userId: 'vb-1', subscribed: false }, dev: { userId: 'dev-1' }, messenger: { userId: 'psid-2' } });
    expect((await store.contacts.byChannelUser(F, 'messenger', 'psid-2'))?.id).toBe('V');
  });

  it('are erased with every address they had in the old shape', async () => {
    const report = await eraseContact(store, F, 'S');
    expect(report).toBeDefined();
    expect(await store.contacts.byChannelUser(F, 'sms', '+639170000502')).toBeUndefined();
    expect(await store.backend.kv.get(`contact:${F}:S`)).toBeUndefined();
  });

  it('upgradeContact leaves a record already in today’s shape as it is, and today’s state wins over a stale field', () => {
    const today = { id: 'X', facilityId: F, createdAt: AT, updatedAt: AT, channels: { sms: { userId: '+639170000503' } } };
    expect(upgradeContact(today)).toBe(today);
    const both = { ...today, sms: { phone: '+639170000599', optedOut: true } };
    expect(upgradeContact(both).channels).toEqual({ sms: { userId: '+639170000503' } });
  });
});
