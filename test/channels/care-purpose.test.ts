/**
 * A care workflow's offer (rebook nudge, survey: purpose `care`) on each channel: Messenger and WhatsApp only
 * inside the 24 h window (no utility template carries it), SMS unless opted out, Viber only to subscribed users.
 */
import { describe, expect, it } from 'vitest';
import { permission as messengerPermission } from '../../channels/messenger/rules.js';
import { permission as whatsappPermission } from '../../channels/whatsapp/rules.js';
import { smsPermission } from '../../channels/sms/rules.js';
import { viberPermission } from '../../channels/viber/rules.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { FACILITIES as MESSENGER_FACILITIES } from './messenger/helpers.js';
import { FACILITIES as WHATSAPP_FACILITIES, NOW as WA_NOW, USER, contact as waContact, hoursAgo } from './whatsapp/helpers.js';

const now = new Date('2025-03-03T10:00:00Z');
const ago = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();
const base = (channels: Contact['channels']): Contact => ({ id: 'c1', facilityId: 'st-lukes', createdAt: now.toISOString(), updatedAt: now.toISOString(), channels });
const msg = (channel: OutboundMessage['channel'], channelUserId: string): OutboundMessage => ({ id: 'o1', facilityId: 'st-lukes', channel, channelUserId, purpose: 'care', locale: 'en', reply: { text: 'Book again?' } });

describe('purpose care', () => {
  it('Messenger: inside the window as UPDATE; outside it refused even where utility templates exist', () => {
    const f = MESSENGER_FACILITIES[0]!;
    const psid = '7000000000000001';
    expect(messengerPermission(msg('messenger', psid), base({ messenger: { userId: psid, lastInboundAt: ago(2) } }), now, f)).toEqual({ ok: true, mode: 'session' });
    expect(messengerPermission(msg('messenger', psid), base({ messenger: { userId: psid, lastInboundAt: ago(25) } }), now, f)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('WhatsApp: inside the window free-form; outside it refused even with templates', () => {
    const cfg = WHATSAPP_FACILITIES[0]!.channels.whatsapp;
    const wnow = WA_NOW;
    expect(whatsappPermission({ purpose: 'care', channelUserId: USER }, waContact({ lastInboundAt: hoursAgo(1) }), wnow, cfg).ok).toBe(true);
    expect(whatsappPermission({ purpose: 'care', channelUserId: USER }, waContact({ lastInboundAt: hoursAgo(25) }), wnow, cfg)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('SMS: sent, unless the number said STOP', () => {
    const phone = '+639171234567';
    expect(smsPermission(msg('sms', phone), base({ sms: { userId: phone } }), now)).toEqual({ ok: true, mode: 'standard' });
    expect(smsPermission(msg('sms', phone), base({ sms: { userId: phone, optedOut: true } }), now)).toEqual({ ok: false, reason: 'opted_out' });
  });

  it('Viber: only to subscribed users', () => {
    expect(viberPermission(msg('viber', 'u1'), base({ viber: { userId: 'u1', subscribed: true, lastInboundAt: ago(30) } }), now, 0)).toEqual({ ok: true, mode: 'standard' });
    expect(viberPermission(msg('viber', 'u1'), base({ viber: { userId: 'u1', subscribed: false, lastInboundAt: ago(1) } }), now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
    expect(viberPermission(msg('viber', 'u1'), undefined, now, 0)).toEqual({ ok: false, reason: 'not_subscribed' });
  });
});
