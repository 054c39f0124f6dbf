import { describe, expect, it } from 'vitest';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { isBotInitiated, UnansweredCounter, viberPermission, VIBER_UNANSWERED_CAP } from '../../../channels/viber/rules.js';

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
const contact = (viber: ChannelState | undefined): Contact => ({ id: 'c1', facilityId: 'st-lukes', createdAt: now.toISOString(), updatedAt: now.toISOString(), ...(viber ? { channels: { viber } } : {}) });
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
