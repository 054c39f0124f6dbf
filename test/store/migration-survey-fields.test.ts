/**
 * Issue 14 changed what the store holds: pushed choices gained an optional `until` (a survey's expiry), and
 * `survey:{f}:{id}` / `surveys:{f}` are new. A store the previous version wrote (pushed choices without
 * `until`, no survey keys) is read by today's code unchanged: an SMS "2" still answers the old reminder push
 * by position, export and erasure work, and nothing needs migrating.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerToPush } from '../../src/engine/push-choices.js';
import { eraseContact, exportContact } from '../../src/store/erasure.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

const F = 'st-lukes';
const AT = '2026-11-20T08:00:00.000Z';
const file = join(mkdtempSync(join(tmpdir(), 'fd-survey-fields-')), 'old.sqlite');
let store: Store & { close(): Promise<void> };

beforeAll(async () => {
  // the previous version's records, written raw, then the store closed
  const old = await openStore(`sqlite:${file}`);
  await old.backend.kv.set(`contact:${F}:C1`, { id: 'C1', facilityId: F, createdAt: AT, updatedAt: AT, channels: { sms: { userId: '+639170000601' } }, phone: '+639170000601' });
  await old.backend.indexes.add(`contacts:${F}`, 'C1', 1);
  await old.backend.kv.set(`engine:push:${F}:C1`, { choices: [{ id: 'rem:confirm:A-1', label: "Yes, I'll come" }, { id: 'rem:cancel:A-1', label: 'Cancel appointment' }], at: AT }, 14 * 24 * 3600_000);
  await old.close();
  store = await openStore(`sqlite:${file}`);
});
afterAll(async () => {
  await store?.close();
});

describe('a store the previous version wrote', () => {
  it('its pushed choices (no `until`) still answer by position and by words, days later', async () => {
    expect(await store.pushedChoices.latest(F, 'C1')).toEqual({ choices: expect.any(Array), at: AT });
    expect(await answerToPush(store.pushedChoices, F, 'C1', '2', undefined, '2026-11-25T08:00:00.000Z')).toBe('rem:cancel:A-1');
    expect(await answerToPush(store.pushedChoices, F, 'C1', "yes, I'll come", undefined, '2026-11-25T08:00:00.000Z')).toBe('rem:confirm:A-1');
  });

  it('has no survey: none open, none listed, export says none, erasure clears the contact', async () => {
    expect(await store.surveys.get(F, 'C1')).toBeUndefined();
    expect(await store.surveys.open(F, 'C1', 'A-1', AT)).toBeUndefined();
    expect(await store.surveys.answered(F, 0)).toEqual([]);
    expect((await exportContact(store, F, 'C1'))!.survey).toBeNull();
    expect((await eraseContact(store, F, 'C1'))!.contactId).toBe('C1');
    expect(await store.pushedChoices.latest(F, 'C1')).toBeUndefined();
  });
});
