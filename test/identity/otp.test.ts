/**
 * Issue 9: one-time codes on a real store (SQLite): expiry, tries, rate limit, constant-time compare of a
 * salted hash. The clock is the caller's, so expiry is tested without waiting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCode, CODE_TTL_MS, issueCode, maskPhone } from '../../src/identity/otp.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';

let dir: string;
let store: OpenedStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-otp-'));
  store = await openStore(`sqlite:${join(dir, 's.sqlite')}`);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const T0 = new Date('2026-12-01T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('one-time codes', () => {
  it('an expired code is refused even when right', async () => {
    const issued = await issueCode(store, 'f', 'c-exp', '+639170000301', T0);
    if (!issued.ok) throw new Error('not issued');
    expect(await checkCode(store, 'f', 'c-exp', issued.code, later(CODE_TTL_MS + 1))).toEqual({ status: 'expired' });
    expect(await checkCode(store, 'f', 'c-exp', issued.code, later(CODE_TTL_MS - 1000))).toEqual({ status: 'verified', phone: '+639170000301' });
  });

  it('five wrong tries lock it: the right code afterwards is refused', async () => {
    const issued = await issueCode(store, 'f', 'c-brute', '+639170000302', T0);
    if (!issued.ok) throw new Error('not issued');
    const wrong = String((Number(issued.code) + 1) % 1_000_000).padStart(6, '0');
    for (let left = 4; left >= 1; left--) expect(await checkCode(store, 'f', 'c-brute', wrong, T0)).toEqual({ status: 'wrong', triesLeft: left });
    expect(await checkCode(store, 'f', 'c-brute', wrong, T0)).toEqual({ status: 'locked' });
    expect(await checkCode(store, 'f', 'c-brute', issued.code, T0)).toEqual({ status: 'locked' });
  });

  it('three codes per number per hour, whichever contacts ask; only the hash is stored', async () => {
    const phone = '+639170000303';
    const results = [];
    for (const c of ['a', 'b', 'c', 'd']) results.push(await issueCode(store, 'f', `c-${c}`, phone, T0));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    const rec = await store.codes.get('f', 'c-a');
    const code = (results[0] as { code: string }).code;
    expect(rec).toMatchObject({ phone, tries: 0 });
    expect(JSON.stringify(rec)).not.toContain(code);
  });

  it('a new code replaces the old one for that contact', async () => {
    const first = await issueCode(store, 'f', 'c-new', '+639170000304', T0);
    const second = await issueCode(store, 'f', 'c-new', '+639170000304', T0);
    if (!first.ok || !second.ok) throw new Error('not issued');
    if (first.code !== second.code) expect((await checkCode(store, 'f', 'c-new', first.code, T0)).status).toBe('wrong');
    expect((await checkCode(store, 'f', 'c-new', second.code, T0)).status).toBe('verified');
  });

  it('masks all but the first two and the last four digits', () => {
    expect(maskPhone('+639171234567')).toBe('09•• ••• 4567');
  });
});
