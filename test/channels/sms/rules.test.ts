import { describe, expect, it } from 'vitest';
import { smsPermission } from '../../../channels/sms/rules.js';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { OutboundMessage, SendPurpose } from '../../../src/core/messages.js';

const now = new Date('2025-03-03T10:00:00Z');
const PHONE = '+639171234567';
const contact = (channels?: Contact['channels']): Contact => ({ id: 'c1', facilityId: 'st-lukes', createdAt: now.toISOString(), updatedAt: now.toISOString(), ...(channels ? { channels } : {}) });
const sms = (state: Partial<ChannelState>): Contact => contact({ sms: { userId: PHONE, ...state } });
const msg = (purpose: SendPurpose = 'response'): OutboundMessage => ({ id: 'o1', facilityId: 'st-lukes', channel: 'sms', channelUserId: PHONE, purpose, locale: 'en', reply: { text: 'hi' } });
const PURPOSES: SendPurpose[] = ['response', 'welcome', 'update', 'reminder', 'broadcast', 'verification'];

describe('SMS opt-out (STOP until START)', () => {
  it.each(PURPOSES)('an opted-out contact gets no %s: opted_out', (purpose) => {
    expect(smsPermission(msg(purpose), sms({ optedOut: true }), now)).toEqual({ ok: false, reason: 'opted_out' });
  });

  it('the opt-out holds however recently the contact wrote (SMS has no session that overrides it)', () => {
    expect(smsPermission(msg('response'), sms({ optedOut: true, lastInboundAt: now.toISOString() }), now)).toEqual({ ok: false, reason: 'opted_out' });
  });

  it.each(PURPOSES)('a contact who has not opted out may be sent a %s, as a standard message', (purpose) => {
    expect(smsPermission(msg(purpose), sms({ optedOut: false }), now)).toEqual({ ok: true, mode: 'standard' });
  });

  it('has no window: a contact who last wrote months ago, or never, may still be texted', () => {
    expect(smsPermission(msg('reminder'), sms({ optedOut: false, lastInboundAt: '2024-01-01T00:00:00Z' }), now)).toEqual({ ok: true, mode: 'standard' });
    expect(smsPermission(msg('reminder'), sms({}), now)).toEqual({ ok: true, mode: 'standard' });
  });

  it('a contact with no SMS state, or no contact record at all, has not opted out', () => {
    expect(smsPermission(msg('reminder'), contact(), now)).toEqual({ ok: true, mode: 'standard' });
    expect(smsPermission(msg('response'), undefined, now)).toEqual({ ok: true, mode: 'standard' });
  });

  it("reads only the SMS state: an opt-out on another channel does not stop SMS", () => {
    const c = contact({ whatsapp: { userId: PHONE, optedOut: true }, viber: { userId: 'v1', optedOut: true, subscribed: false } });
    expect(smsPermission(msg('reminder'), c, now)).toEqual({ ok: true, mode: 'standard' });
    expect(smsPermission(msg('reminder'), { ...c, channels: { ...c.channels, sms: { userId: PHONE, optedOut: true } } }, now)).toEqual({ ok: false, reason: 'opted_out' });
  });
});
