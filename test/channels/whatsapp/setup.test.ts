import { describe, expect, it } from 'vitest';
import { whatsappSetupPlan } from '../../../channels/whatsapp/setup.js';
import { FACILITIES, NUMBER_A, SECRET_1 } from './helpers.js';

const [stLukes, annex, , smsOnly] = FACILITIES;

describe('whatsappSetupPlan', () => {
  it('names the callback URL, the field to subscribe, the app and the templates, as steps for the dashboard', () => {
    const plan = whatsappSetupPlan(stLukes!, 'https://bot.example.org/', 'https://graph.example.test/v25.0/')!;
    const steps = plan.manual.join('\n');
    expect(steps).toContain('https://bot.example.org/webhooks/whatsapp');
    expect(steps).toMatch(/field messages/);
    expect(steps).toContain(NUMBER_A);
    expect(steps).toContain('"appointment_reminder" and "appointment_update"');
    expect(steps).toMatch(/UTILITY.*en_US.*\{\{1\}\}/);
  });

  it('says when no templates are configured', () => {
    expect(whatsappSetupPlan(annex!, 'https://bot.example.org')!.manual.join('\n')).toMatch(/No utility templates are configured/);
  });

  it('checks the token with one read-only call, the token in a header only', () => {
    const { requests } = whatsappSetupPlan(stLukes!, 'https://bot.example.org', 'https://graph.example.test/v25.0/')!;
    expect(requests).toEqual([
      {
        method: 'GET',
        url: `https://graph.example.test/v25.0/${NUMBER_A}?fields=display_phone_number,verified_name,quality_rating`,
        headers: { authorization: 'Bearer EAAG-token-a' },
        description: expect.stringContaining(NUMBER_A),
      },
    ]);
  });

  it('writes no secret into anything it prints', () => {
    const plan = whatsappSetupPlan(stLukes!, 'https://bot.example.org')!;
    const printed = [...plan.manual, ...plan.requests.map((r) => `${r.url} ${r.description}`)].join('\n');
    for (const secret of ['EAAG-token-a', SECRET_1, 'verify-a']) expect(printed).not.toContain(secret);
  });

  it('has nothing for a facility without WhatsApp', () => {
    expect(whatsappSetupPlan(smsOnly!, 'https://bot.example.org')).toBeUndefined();
  });
});
