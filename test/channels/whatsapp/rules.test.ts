import { describe, expect, it } from 'vitest';
import { insideWindow, permission, planSend, stateFor, WINDOW_MS } from '../../../channels/whatsapp/rules.js';
import type { SendPurpose } from '../../../src/core/messages.js';
import { FACILITIES, NOW, USER, contact, hoursAgo } from './helpers.js';

const [withTemplates, withoutTemplates] = FACILITIES.map((f) => f.channels.whatsapp);
const msg = (purpose: SendPurpose, channelUserId = USER) => ({ purpose, channelUserId });

describe('WhatsApp 24-hour customer service window', () => {
  it('is open until just before 24 hours after the last inbound message, and closed at 24 hours', () => {
    expect(insideWindow({ userId: USER, lastInboundAt: new Date(NOW.getTime() - WINDOW_MS + 1).toISOString() }, NOW)).toBe(true);
    expect(insideWindow({ userId: USER, lastInboundAt: new Date(NOW.getTime() - WINDOW_MS).toISOString() }, NOW)).toBe(false);
    expect(insideWindow({ userId: USER }, NOW)).toBe(false);
    expect(insideWindow({ userId: USER, lastInboundAt: 'not a date' }, NOW)).toBe(false);
    expect(insideWindow(undefined, NOW)).toBe(false);
  });

  it.each<SendPurpose>(['response', 'welcome', 'update', 'reminder', 'broadcast', 'verification'])('inside the window, %s goes free-form (session)', (purpose) => {
    expect(planSend(msg(purpose), contact({ lastInboundAt: hoursAgo(23) }), NOW, withoutTemplates)).toEqual({ ok: true, value: { kind: 'session' } });
    expect(permission(msg(purpose), contact({ lastInboundAt: hoursAgo(1) }), NOW, withTemplates)).toEqual({ ok: true, mode: 'session' });
  });

  it('outside the window, reminders and updates go as the facility’s utility template', () => {
    expect(planSend(msg('reminder'), contact({ lastInboundAt: hoursAgo(30) }), NOW, withTemplates)).toEqual({ ok: true, value: { kind: 'utility', template: 'appointment_reminder', language: 'en_US' } });
    expect(planSend(msg('update'), contact({ lastInboundAt: hoursAgo(30) }), NOW, withTemplates)).toEqual({ ok: true, value: { kind: 'utility', template: 'appointment_update', language: 'en_US' } });
    expect(permission(msg('reminder'), undefined, NOW, withTemplates)).toEqual({ ok: true, mode: 'utility' });
  });

  it('takes the template language from the config, "en" by default', () => {
    const onlyReminder = { ...withoutTemplates!, templates: { reminder: 'rem_v2', language: 'en' } };
    expect(planSend(msg('reminder'), undefined, NOW, onlyReminder)).toEqual({ ok: true, value: { kind: 'utility', template: 'rem_v2', language: 'en' } });
    expect(planSend(msg('update'), undefined, NOW, onlyReminder)).toEqual({ ok: false, error: 'outside_window' });
  });

  it.each<SendPurpose>(['response', 'welcome', 'broadcast', 'verification'])('outside the window, %s is outside_window even with templates', (purpose) => {
    expect(permission(msg(purpose), contact({ lastInboundAt: hoursAgo(30) }), NOW, withTemplates)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('outside the window without templates, reminders are outside_window (the outbox may fall back)', () => {
    expect(permission(msg('reminder'), contact({ lastInboundAt: hoursAgo(30) }), NOW, withoutTemplates)).toEqual({ ok: false, reason: 'outside_window' });
    expect(permission(msg('reminder'), undefined, NOW, withoutTemplates)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('a contact who stopped us gets nothing, not even a template or a reply inside the window', () => {
    expect(permission(msg('reminder'), contact({ lastInboundAt: hoursAgo(30), optedOut: true }), NOW, withTemplates)).toEqual({ ok: false, reason: 'opted_out' });
    expect(permission(msg('response'), contact({ lastInboundAt: hoursAgo(1), optedOut: true }), NOW, withTemplates)).toEqual({ ok: false, reason: 'opted_out' });
    expect(permission(msg('response'), contact({ lastInboundAt: hoursAgo(1), optedOut: false }), NOW, withTemplates)).toEqual({ ok: true, mode: 'session' });
  });

  it('a facility without WhatsApp is no_channel', () => {
    expect(permission(msg('response'), contact({ lastInboundAt: hoursAgo(1) }), NOW, undefined)).toEqual({ ok: false, reason: 'no_channel' });
  });

  it("reads the window of this address only: another number's state opens nothing here", () => {
    const c = contact({ userId: '+639170000000', lastInboundAt: hoursAgo(1), optedOut: true });
    expect(stateFor(c, USER)).toBeUndefined();
    expect(permission(msg('response'), c, NOW, withTemplates)).toEqual({ ok: false, reason: 'outside_window' });
    expect(permission(msg('response', '+639170000000'), c, NOW, withTemplates)).toEqual({ ok: false, reason: 'opted_out' });
    // the same number with or without its "+" is the same address
    expect(stateFor(contact({ lastInboundAt: hoursAgo(1) }), USER.slice(1))?.userId).toBe(USER);
  });
});
