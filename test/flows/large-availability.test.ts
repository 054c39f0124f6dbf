import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createLogger } from '../../src/log.js';
import { createProviderClient } from '../../src/provider/client.js';
import { fakeProvider, sendJson } from '../provider/fake-provider.js';
import { createChat, type Chat } from '../support/transcript.js';

/**
 * Issue 10: a provider that answers a month with 300 000 slots (one every 8 s from Dec 1, 2026, Manila).
 * The conversation keeps only what its next prompt needs: the month's open dates, then the chosen date's
 * slots (at most 200), never the month. Measured in bytes of the persisted snapshot (what the store
 * saves every turn), not in time. Before: 21.6 MB per snapshot.
 */

const TZ = 'Asia/Manila';
const SLOTS = 300_000;
let body = '';
let fake: Awaited<ReturnType<typeof fakeProvider>>;

beforeAll(async () => {
  const first = DateTime.fromISO('2026-12-01T00:00:00', { zone: TZ }).toMillis();
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone: TZ }).toISO({ suppressMilliseconds: true });
  const slots = Array.from({ length: SLOTS }, (_, i) => ({ start: iso(first + i * 8000), end: iso(first + i * 8000 + 30 * 60_000) }));
  body = JSON.stringify({ timezone: TZ, slots });
  fake = await fakeProvider((req, res) => {
    if (!req.path.endsWith('/availability')) return sendJson(res, 404, { error: 'not_found' });
    if (req.query.get('month') !== '2026-12') return sendJson(res, 200, { slots: [] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
}, 120_000);
afterAll(() => fake?.close());

function chatOver(maxResponseBytes?: number): Chat {
  const client = createProviderClient({
    facilityId: 'big',
    baseUrl: `${fake.url}/api/v1`,
    userId: 'u',
    apiKey: 'k',
    timezone: TZ,
    timeoutMs: 120_000,
    ...(maxResponseBytes ? { maxResponseBytes } : {}),
    logger: createLogger({ level: 'silent' }),
  });
  return createChat({
    facility: { id: 'big', name: 'Big Clinic', timezone: TZ, locale: 'en', country: 'PH', cutoffHours: 24, askNationalId: false },
    contact: { id: 'c1', channel: 'messenger', name: 'Maria Santos', dob: '1990-05-15', phone: '+639171234567', gender: 'female', consent: true, patientId: 'P1' },
    calendars: [{ id: 'cal-lab', name: 'Laboratory', appointmentTypes: [{ id: 'blood', name: 'Blood test' }] }],
    provider: client,
    startAt: '2026-11-30T09:00:00+08:00',
  });
}

const snapshotBytes = (chat: Chat) => Buffer.byteLength(JSON.stringify(chat.snapshot));
const draft = (chat: Chat) => chat.context().draft;

describe('a month of 300k slots', () => {
  it('with the cap raised to read it: the snapshot holds the open dates, then one capped date, never the month', { timeout: 300_000 }, async () => {
    expect(Buffer.byteLength(body)).toBeGreaterThan(20_000_000);
    const chat = chatOver(64 * 1024 * 1024);
    const t0 = Date.now();
    await chat.send('book').expectEventually((r) => r.key === 'slots.date' && r.choices?.[0]?.label === 'Tue, Dec 1, 2026' && r.choices.length === 9);
    const atDate = snapshotBytes(chat);
    expect(draft(chat).dates).toHaveLength(28); // Dec 1 … Dec 28
    expect(draft(chat).slots).toEqual([]);
    expect(atDate).toBeLessThan(16_000);

    const t1 = Date.now();
    await chat.send('Dec 2').expectKey('slots.time');
    const atTime = snapshotBytes(chat);
    const held = draft(chat).slots;
    expect(held).toHaveLength(200);
    expect(held.every((s) => s.start.startsWith('2026-12-02T'))).toBe(true);
    expect(new Set(held.map((s) => s.start)).size).toBe(200);
    expect(atTime).toBeLessThan(48_000);

    const t2 = Date.now();
    await chat.choose(/12:00 AM/).expectKey('book.summaryPrompt');
    expect(snapshotBytes(chat)).toBeLessThan(48_000);
    // eslint-disable-next-line no-console
    console.info(`300k slots: snapshot ${atDate} B at the date prompt, ${atTime} B at the time prompt; turns ${t1 - t0} ms (book), ${t2 - t1} ms (date), ${Date.now() - t2} ms (time)`);
  });

  it('at the default 2 MiB cap: the answer is not read past the cap; the patient is asked to try again, the snapshot stays small', { timeout: 120_000 }, async () => {
    const chat = chatOver();
    await chat.send('book').expectEventually((r) => r.key === 'common.providerDown');
    expect(draft(chat).slots).toEqual([]);
    expect(snapshotBytes(chat)).toBeLessThan(16_000);
  });
});
