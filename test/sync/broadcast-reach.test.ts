/** Issue 12 point 6: the broadcast's reachability rule had a condition that could never be true. */
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/core/domain.js';
import { reachable } from '../../src/sync/broadcast.js';

const base = (over: Partial<Contact>): Contact => ({ id: 'c1', facilityId: 'st-lukes', createdAt: '2030-01-01T00:00:00Z', updatedAt: '2030-01-01T00:00:00Z', ...over }) as Contact;

describe('who a broadcast can reach', () => {
  it('skips a Viber user who is not subscribed and has no phone to fall back on', () => {
    expect(reachable(base({ channels: { viber: { userId: 'v1', subscribed: false } }, lastChannel: 'viber' }))).toBe('not_subscribed');
  });
  it('counts that user when an SMS fallback exists, or once subscribed', () => {
    expect(reachable(base({ channels: { viber: { userId: 'v1', subscribed: false } }, phone: '+639171234567', lastChannel: 'viber' }))).toBeUndefined();
    expect(reachable(base({ channels: { viber: { userId: 'v1', subscribed: true } }, lastChannel: 'viber' }))).toBeUndefined();
  });
  it('skips an SMS contact that opted out, and one with no address', () => {
    expect(reachable(base({ channels: { sms: { userId: '+639171234567', optedOut: true } } }))).toBe('opted_out');
    expect(reachable(base({}))).toBe('no_address');
    expect(reachable(undefined)).toBe('no_contact');
  });
  it('does not count an opted-out number as a Viber user’s fallback', () => {
    expect(reachable(base({ channels: { viber: { userId: 'v1', subscribed: false }, sms: { userId: '+639171234567', optedOut: true } }, lastChannel: 'viber' }))).toBe('not_subscribed');
  });
});
