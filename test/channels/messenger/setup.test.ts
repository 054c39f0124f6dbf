import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { messengerSetupPlan } from '../../../channels/messenger/setup.js';
import { FACILITIES, PAGE_A, SECRET_1, facility } from './helpers.js';

const PROOF_A = createHmac('sha256', SECRET_1).update('token-a').digest('hex');

describe('messengerSetupPlan', () => {
  it('subscribes the page to the messaging fields and sets Get Started, greeting and the persistent menu', () => {
    const plan = messengerSetupPlan(FACILITIES[0]!, 'https://bot.example.org/', 'https://graph.facebook.com/v25.0');
    expect(plan).toHaveLength(2);
    const [subscribe, profile] = plan;
    expect(subscribe).toMatchObject({
      method: 'POST',
      url: `https://graph.facebook.com/v25.0/${PAGE_A}/subscribed_apps?subscribed_fields=messages,messaging_postbacks,messaging_referrals,message_deliveries,message_reads,message_echoes&appsecret_proof=${PROOF_A}`,
      headers: { authorization: 'Bearer token-a' },
    });
    expect(subscribe!.description).toContain('https://bot.example.org/webhooks/messenger');
    expect(profile).toMatchObject({ method: 'POST', url: `https://graph.facebook.com/v25.0/me/messenger_profile?appsecret_proof=${PROOF_A}`, headers: { authorization: 'Bearer token-a' } });
    for (const r of plan) expect(r.url).not.toContain('token-a');
    expect(profile!.body).toEqual({
      get_started: { payload: 'start' },
      greeting: [{ locale: 'default', text: "Welcome to Clinic st-lukes. Book, change or confirm your appointments here." }],
      persistent_menu: [
        {
          locale: 'default',
          composer_input_disabled: false,
          call_to_actions: [
            { type: 'postback', title: 'Book an appointment', payload: 'book' },
            { type: 'postback', title: 'My appointments', payload: 'my_appointments' },
            { type: 'postback', title: 'Help', payload: 'help' },
          ],
        },
      ],
    });
  });

  it('speaks the facility language and keeps the greeting within 160 characters', () => {
    const f = facility('klinik', { pageId: '444', pageAccessToken: 't', appSecret: 's', verifyToken: 'v' }, { locale: 'id', name: 'Klinik '.repeat(40).trim() });
    const body = messengerSetupPlan(f, 'https://bot.example.org')[1]!.body as { greeting: { text: string }[]; persistent_menu: { call_to_actions: { title: string }[] }[] };
    expect(body.greeting[0]!.text.length).toBeLessThanOrEqual(160);
    expect(body.persistent_menu[0]!.call_to_actions.map((c) => c.title)).toEqual(['Buat janji temu', 'Janji temu saya', 'Bantuan']);
  });

  it('plans nothing for a facility without Messenger', () => {
    expect(messengerSetupPlan(FACILITIES[3]!, 'https://bot.example.org')).toEqual([]);
  });
});
