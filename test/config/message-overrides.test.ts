/**
 * `facilities[].messages`: a facility's own wording over any locale message, per language. Checked at load
 * (an unknown key, or a variable the original does not use, is a config error naming it) and used in replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { renderReply } from '../../src/i18n/index.js';
import { startFrontdesk, startPlatforms, testConfig, type Platforms, devSay } from '../support/frontdesk.js';

const PROVIDER_SECRET = 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==';
const facility = (over: Record<string, unknown>) => ({
  id: 'st-lukes',
  name: "St. Luke's Clinic",
  timezone: 'Asia/Manila',
  provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: PROVIDER_SECRET },
  ...over,
});
const load = (messages: unknown) => validateConfig({ facilities: [facility({ messages })] }, {});
const problems = (messages: unknown) => {
  const r = load(messages);
  return r.ok ? [] : r.error;
};

describe('config: message overrides', () => {
  it('accepts an override of an existing message with its own variables, and renders it for that facility and language only', () => {
    const r = load({ en: { 'booking.arriveEarly': 'Please come 20 minutes before your time, and check in at the lobby.' }, fil: { 'book.done': 'Ayos na po! {{doctor}}, {{startAt}}. Ref {{reference}}.{{details}}' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const messages = r.value.facilities[0]!.messages;
    const done = { key: 'book.done', params: { doctor: 'Laboratory', startAt: '2026-12-01T01:30:00Z', reference: 'A1', details: [{ key: 'booking.arriveEarly' }] } };
    expect(renderReply(done, 'en', 'Asia/Manila', messages).text).toBe("You're booked! Laboratory on Tue, Dec 1, 2026, 9:30 AM. Your reference number is A1.\nPlease come 20 minutes before your time, and check in at the lobby.");
    expect(renderReply(done, 'fil', 'Asia/Manila', messages).text).toBe('Ayos na po! Laboratory, Mar, Dis 1, 2026, 9:30 AM. Ref A1.\nPakidating po 15 minuto bago ang oras.');
    // Indonesian, and any facility without overrides, keep the locale files' wording
    expect(renderReply(done, 'id', 'Asia/Manila', messages).text).toMatch(/Mohon datang 15 menit lebih awal\.$/);
    expect(renderReply(done, 'en', 'Asia/Manila').text).toMatch(/\nPlease arrive 15 minutes early\.$/);
  });

  it('refuses a key no locale file has, naming it', () => {
    expect(problems({ en: { 'booking.arriveEarli': 'Come early.' } })).toEqual([{ path: 'facilities[0].messages.en.booking.arriveEarli', message: 'no such message in the locale files' }]);
    // keyword lists are not messages
    expect(problems({ id: { 'intents.book': 'pesan' } })).toEqual([{ path: 'facilities[0].messages.id.intents.book', message: 'no such message in the locale files' }]);
  });

  it('refuses a variable the original message does not use, naming the message and the variable', () => {
    expect(problems({ en: { 'booking.arriveEarly': 'Please arrive {{minutes}} minutes early.' } })).toEqual([
      { path: 'facilities[0].messages.en.booking.arriveEarly', message: '{{minutes}} is not a variable of this message (it has none)' },
    ]);
    expect(problems({ fil: { 'book.done': 'Naka-book na po si {{patient}} kay {{doctor}}.' } })).toEqual([
      { path: 'facilities[0].messages.fil.book.done', message: '{{patient}} is not a variable of this message (it has {{doctor}}, {{startAt}}, {{reference}}, {{details}})' },
    ]);
  });

  it('lists every problem together with the others, never a stack trace', () => {
    const r = validateConfig({ facilities: [facility({ messages: { en: { 'no.such': 'x', 'booking.room': 'Room {{number}}' }, de: { 'book.done': 'Gebucht' } } })] }, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.error.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['facilities[0].messages.en.no.such', 'facilities[0].messages.en.booking.room']));
    expect(paths.some((p) => p.startsWith('facilities[0].messages'))).toBe(true);
    expect(r.error.find((p) => p.path === 'facilities[0].messages.en.booking.room')!.message).toBe('{{number}} is not a variable of this message (it has {{room}})');
    for (const p of r.error) expect(p.message).not.toMatch(/\n\s+at /);
  });
});

describe('message overrides in a running frontdesk', () => {
  let platforms: Platforms;
  let fd: Awaited<ReturnType<typeof startFrontdesk>>;
  beforeAll(async () => {
    platforms = await startPlatforms();
    fd = await startFrontdesk(
      testConfig({
        platformsUrl: platforms.url,
        facility: {
          info: { hours: 'Mon–Sat 8:00–17:00', hotline: '+63 2 8123 4567' },
          messages: { en: { 'menu.prompt': 'How can St. Luke’s help you today?', 'info.hours': 'We are open {{hours}}.' } },
        },
      }),
    );
  });
  afterAll(async () => {
    await fd?.close();
    await platforms?.close();
  });

  const say = async (userId: string, input: { text?: string; choiceId?: string }) => (await devSay(fd.base, userId, input)).map((r) => r.text);

  it("says the facility's own wording in the patient's replies", async () => {
    expect(await say('override-1', { text: 'hi' })).toContain('How can St. Luke’s help you today?');
    const info = (await say('override-1', { choiceId: 'menu:info' })).join('\n');
    expect(info).toContain('We are open Mon–Sat 8:00–17:00.');
    expect(info).toContain('Hotline: +63 2 8123 4567');
  });
});
