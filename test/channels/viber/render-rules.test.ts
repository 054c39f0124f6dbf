import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../src/core/domain.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { renderViberReply, splitAtWords, VIBER_MAX_BUTTONS, VIBER_MAX_TEXT } from '../../../channels/viber/render.js';
import { isBotInitiated, UnansweredCounter, viberPermission, VIBER_UNANSWERED_CAP } from '../../../channels/viber/rules.js';
import { viberSetupPlan } from '../../../channels/viber/setup.js';
import { facility, TOKEN } from './helpers.js';

const sender = { name: "St Luke's" };

describe('renderViberReply', () => {
  it('text up to 7,000 characters is one message', () => {
    const text = 'a'.repeat(VIBER_MAX_TEXT);
    expect(renderViberReply({ text }, sender)).toHaveLength(1);
  });

  it('longer text splits at word boundaries, every part within 7,000', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const msgs = renderViberReply({ text }, sender);
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) expect(m.text.length).toBeLessThanOrEqual(VIBER_MAX_TEXT);
    expect(msgs.map((m) => m.text).join(' ').split(' ')).toEqual(words);
  });

  it('a single word longer than the limit is cut, never a surrogate pair', () => {
    const parts = splitAtWords('😀'.repeat(4000), VIBER_MAX_TEXT);
    expect(parts.join('')).toBe('😀'.repeat(4000));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(VIBER_MAX_TEXT);
  });

  it('choices become a reply keyboard on the last message, full width up to 6', () => {
    const msgs = renderViberReply({ text: 'Pick one', choices: [{ id: 'c:book', label: 'Book an appointment' }, { id: 'c:cancel', label: 'Cancel' }] }, sender);
    expect(msgs).toEqual([
      {
        type: 'text',
        text: 'Pick one',
        sender,
        min_api_version: 1,
        keyboard: {
          Type: 'keyboard',
          DefaultHeight: false,
          Buttons: [
            { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:book', Text: 'Book an appointment', TextSize: 'regular' },
            { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:cancel', Text: 'Cancel', TextSize: 'regular' },
          ],
        },
      },
    ]);
  });

  it('7 to 24 choices go two per row; beyond 24 they are listed as numbered text', () => {
    const choices = Array.from({ length: 30 }, (_, i) => ({ id: `s:${i}`, label: `Slot ${i + 1}` }));
    const [m] = renderViberReply({ text: 'Slots', choices }, sender);
    expect(m?.keyboard?.Buttons).toHaveLength(VIBER_MAX_BUTTONS);
    expect(m?.keyboard?.Buttons.every((b) => b.Columns === 3 && b.Rows === 1)).toBe(true);
    expect(m?.text).toContain('25. Slot 25');
    expect(m?.text).toContain('30. Slot 30');
    const [seven] = renderViberReply({ text: 'x', choices: choices.slice(0, 7) }, sender);
    expect(seven?.keyboard?.Buttons[0]?.Columns).toBe(3);
  });

  it('a card is rendered as lines under the text', () => {
    const [m] = renderViberReply({ text: 'Please confirm', card: { title: 'Appointment', rows: [{ label: 'Date', value: 'Mon 3 Mar' }] } }, sender);
    expect(m?.text).toBe('Please confirm\n\nAppointment\nDate: Mon 3 Mar');
  });

  it('sender name is at most 28 characters, avatar passed when configured', () => {
    const [m] = renderViberReply({ text: 'x' }, { name: 'N'.repeat(40), avatar: 'https://x.org/a.png' });
    expect(m?.sender).toEqual({ name: 'N'.repeat(28), avatar: 'https://x.org/a.png' });
  });
});

const msg = (purpose: OutboundMessage['purpose'] = 'response'): OutboundMessage => ({
  id: 'o1',
  facilityId: 'st-lukes',
  channel: 'viber',
  channelUserId: 'u1',
  purpose,
  locale: 'en',
  reply: { text: 'hi' },
});
const now = new Date('2025-03-03T10:00:00Z');
const contact = (viber: Contact['viber']): Contact => ({ id: 'c1', facilityId: 'st-lukes', createdAt: now.toISOString(), updatedAt: now.toISOString(), viber });
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();

describe('Viber rules', () => {
  it('subscribed users may be sent to; session vs bot-initiated by the last inbound message', () => {
    expect(viberPermission(msg('reminder'), contact({ userId: 'u1', subscribed: true, lastInboundAt: hoursAgo(1) }), now, 0)).toEqual({ ok: true, mode: 'session' });
    expect(viberPermission(msg('reminder'), contact({ userId: 'u1', subscribed: true, lastInboundAt: hoursAgo(30) }), now, 0)).toEqual({ ok: true, mode: 'standard' });
    expect(viberPermission(msg('reminder'), contact({ userId: 'u1', subscribed: true }), now, 0)).toEqual({ ok: true, mode: 'standard' });
  });

  it('not subscribed and no session (never subscribed or unsubscribed) → not_subscribed', () => {
    expect(viberPermission(msg('reminder'), contact({ userId: 'u1', subscribed: false }), now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
    expect(viberPermission(msg('response'), contact({ userId: 'u1', subscribed: false, lastInboundAt: hoursAgo(25) }), now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
    expect(viberPermission(msg('broadcast'), undefined, now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
    expect(viberPermission(msg('update'), contact(undefined), now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
  });

  it('a user who wrote and then unsubscribed gets no pushes, though a reply within the session is still allowed', () => {
    const unsubscribed = contact({ userId: 'u1', subscribed: false, lastInboundAt: hoursAgo(1) });
    for (const purpose of ['reminder', 'update', 'broadcast'] as const) {
      expect(viberPermission(msg(purpose), unsubscribed, now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
    }
    expect(viberPermission(msg('response'), unsubscribed, now, 0)).toEqual({ ok: true, mode: 'session' });
  });

  it('a user who wrote within the session may be answered even before a subscribed flag is recorded', () => {
    expect(viberPermission(msg('response'), contact({ userId: 'u1', subscribed: false, lastInboundAt: hoursAgo(2) }), now, 0)).toEqual({ ok: true, mode: 'session' });
    expect(viberPermission(msg('response'), undefined, now, 0)).toEqual({ ok: true, mode: 'session' });
  });

  it('100 unanswered messages → rate_capped', () => {
    const c = contact({ userId: 'u1', subscribed: true, lastInboundAt: hoursAgo(1) });
    expect(viberPermission(msg(), c, now, VIBER_UNANSWERED_CAP - 1).ok).toBe(true);
    expect(viberPermission(msg(), c, now, VIBER_UNANSWERED_CAP)).toEqual({ ok: false, reason: 'rate_capped' });
  });

  it('isBotInitiated: outside 24 hours of the last inbound message, or none', () => {
    expect(isBotInitiated(contact({ userId: 'u1', subscribed: true, lastInboundAt: hoursAgo(23.9) }), now)).toBe(false);
    expect(isBotInitiated(contact({ userId: 'u1', subscribed: true, lastInboundAt: hoursAgo(24) }), now)).toBe(true);
    expect(isBotInitiated(contact({ userId: 'u1', subscribed: true }), now)).toBe(true);
    expect(isBotInitiated(undefined, now)).toBe(true);
  });

  it('the unanswered counter resets when the user writes, and forgets sends older than an hour', () => {
    const counter = new UnansweredCounter();
    counter.record('f', 'u', hoursAgo(5), new Date(now.getTime() - 2 * 3600_000), 3);
    counter.record('f', 'u', hoursAgo(5), now, 2);
    expect(counter.count('f', 'u', hoursAgo(5), now)).toBe(2);
    expect(counter.count('f', 'other', hoursAgo(5), now)).toBe(0);
    expect(counter.count('f', 'u', hoursAgo(0), now)).toBe(0);
  });
});

describe('viberSetupPlan', () => {
  it('is the set_webhook request for the facility route', () => {
    expect(viberSetupPlan(facility(), 'https://bot.example.org/')).toEqual({
      method: 'POST',
      url: 'https://chatapi.viber.com/pa/set_webhook',
      headers: { 'X-Viber-Auth-Token': TOKEN, 'content-type': 'application/json' },
      body: {
        url: 'https://bot.example.org/webhooks/viber/st-lukes',
        event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'],
        send_name: false,
        send_photo: false,
      },
    });
  });

  it('is undefined for a facility without Viber', () => {
    const f = facility();
    f.channels.viber = undefined;
    expect(viberSetupPlan(f, 'https://bot.example.org')).toBeUndefined();
  });
});
