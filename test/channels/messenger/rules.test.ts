import { describe, expect, it } from 'vitest';
import { insideWindow, permission, planSend } from '../../../channels/messenger/rules.js';
import type { Contact } from '../../../src/core/domain.js';
import type { SendPurpose } from '../../../src/core/messages.js';
import { FACILITIES } from './helpers.js';

const [withTemplates, withoutTemplates, , smsOnly] = FACILITIES;
const now = new Date('2025-01-06T10:00:00.000Z');
const contact = (lastInboundAt?: string): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  channels: { messenger: { userId: '7000000000000001', ...(lastInboundAt ? { lastInboundAt } : {}) } },
});
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const H = 3600_000;

describe('Messenger 24-hour window', () => {
  it('is open up to just before 24h after the last inbound and closed at 24h', () => {
    expect(insideWindow(contact(ago(24 * H - 1)), now)).toBe(true);
    expect(insideWindow(contact(ago(24 * H)), now)).toBe(false);
    expect(insideWindow(contact(), now)).toBe(false);
    expect(insideWindow(undefined, now)).toBe(false);
  });

  it.each<[SendPurpose, 'RESPONSE' | 'UPDATE']>([
    ['response', 'RESPONSE'],
    ['welcome', 'RESPONSE'],
    ['update', 'UPDATE'],
    ['reminder', 'UPDATE'],
    ['broadcast', 'UPDATE'],
  ])('inside the window, %s goes as %s', (purpose, messagingType) => {
    expect(planSend({ purpose }, contact(ago(H)), now, withoutTemplates)).toEqual({ ok: true, value: { kind: 'session', messagingType } });
    expect(permission({ purpose }, contact(ago(H)), now, withoutTemplates)).toEqual({ ok: true, mode: 'session' });
  });

  it('outside the window, reminders and updates go as the named utility template', () => {
    expect(planSend({ purpose: 'reminder' }, contact(ago(30 * H)), now, withTemplates)).toEqual({ ok: true, value: { kind: 'utility', template: 'appt_reminder_v1', language: 'en_US' } });
    expect(planSend({ purpose: 'update' }, contact(ago(30 * H)), now, withTemplates)).toEqual({ ok: true, value: { kind: 'utility', template: 'appt_update_v1', language: 'en_US' } });
    expect(permission({ purpose: 'reminder' }, undefined, now, withTemplates)).toEqual({ ok: true, mode: 'utility' });
  });

  it.each<SendPurpose>(['response', 'welcome', 'broadcast'])('outside the window, %s is outside_window even with templates', (purpose) => {
    expect(permission({ purpose }, contact(ago(30 * H)), now, withTemplates)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('outside the window without templates, reminders are outside_window (the outbox falls back to SMS)', () => {
    expect(permission({ purpose: 'reminder' }, contact(ago(30 * H)), now, withoutTemplates)).toEqual({ ok: false, reason: 'outside_window' });
  });

  it('a facility without Messenger is no_channel', () => {
    expect(permission({ purpose: 'response' }, contact(ago(H)), now, smsOnly)).toEqual({ ok: false, reason: 'no_channel' });
    expect(permission({ purpose: 'response' }, contact(ago(H)), now, undefined)).toEqual({ ok: false, reason: 'no_channel' });
  });
});
