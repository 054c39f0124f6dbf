import { describe, expect, it } from 'vitest';
import { viberSetupPlan } from '../../../channels/viber/setup.js';
import { facility, TOKEN } from './helpers.js';

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
