import { describe, expect, it } from 'vitest';
import { handshake } from '../../../channels/messenger/verify.js';
import { FACILITIES } from './helpers.js';

describe('GET /webhooks/messenger handshake', () => {
  it('echoes hub.challenge when hub.verify_token matches any facility', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1158201444' }, FACILITIES)).toEqual({ ok: true, challenge: '1158201444' });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-c', 'hub.challenge': 'abc' }, FACILITIES)).toEqual({ ok: true, challenge: 'abc' });
  });

  it('refuses a token no facility has with 403', () => {
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-x', 'hub.challenge': '1' }, FACILITIES)).toEqual({ ok: false, status: 403 });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-', 'hub.challenge': '1' }, FACILITIES)).toEqual({ ok: false, status: 403 });
    expect(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1' }, [])).toEqual({ ok: false, status: 403 });
  });

  it.each([
    ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'verify-a', 'hub.challenge': '1' }],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-a' }],
    ['no token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['nothing', {}],
  ])('answers 400 for %s', (_label, query) => {
    expect(handshake(query, FACILITIES)).toEqual({ ok: false, status: 400 });
  });
});
