/**
 * `facilities[].staffAlerts` at load: E.164 numbers libphonenumber-js calls valid, SMS only with the facility's sms
 * channel, an https (or this machine's http) webhook with a strong `whsec_` secret from the environment.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';

const PROVIDER_SECRET = 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==';
const HOOK_SECRET = 'whsec_c3RhZmYtYWxlcnRzLXRlc3Qtd2ViaG9vay1zZWNyZXQtMDEyMw==';
const SMS = { accountSid: 'AC00000000000000000000000000000001', authToken: 'twilio-auth-token-0123456789', from: '+639170000001' };
const facility = (over: Record<string, unknown>) => ({
  id: 'st-lukes',
  name: "St. Luke's Clinic",
  timezone: 'Asia/Manila',
  provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: PROVIDER_SECRET },
  channels: { sms: SMS },
  ...over,
});
const load = (over: Record<string, unknown>, env: NodeJS.ProcessEnv = { STAFF_HOOK_SECRET: HOOK_SECRET }) =>
  validateConfig({ publicUrl: 'https://bot.example.org', facilities: [facility(over)] }, env);
const problems = (over: Record<string, unknown>, env?: NodeJS.ProcessEnv) => {
  const r = load(over, env);
  return r.ok ? [] : r.error;
};
const webhook = (more: Record<string, unknown> = {}) => ({ url: 'https://hooks.example.org/frontdesk', secret: '${STAFF_HOOK_SECRET}', ...more });

describe('config: staffAlerts', () => {
  it('reads numbers, a webhook whose secret comes from the environment, and holds outside hours by default', () => {
    const r = load({ staffAlerts: { sms: ['+639171110001', '+6281234567890'], webhook: webhook() } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.facilities[0]!.staffAlerts).toEqual({ sms: ['+639171110001', '+6281234567890'], webhook: { url: 'https://hooks.example.org/frontdesk', secret: HOOK_SECRET }, outsideHours: 'hold' });
    expect(load({ staffAlerts: { webhook: webhook(), outsideHours: 'send' } }).ok).toBe(true);
    const none = load({});
    expect(none.ok && none.value.facilities[0]!.staffAlerts).toBeUndefined();
  });

  it('refuses a number that is not a valid E.164 phone, and one listed twice, each at its path', () => {
    const got = problems({ staffAlerts: { sms: ['+639171110001', '09171110002', '+63917', '+1 415 555 2671', '+639171110001'] } });
    expect(got).toEqual(
      expect.arrayContaining([
        { path: 'facilities[0].staffAlerts.sms[1]', message: expect.stringMatching(/E\.164/) },
        { path: 'facilities[0].staffAlerts.sms[2]', message: expect.stringMatching(/E\.164/) },
        { path: 'facilities[0].staffAlerts.sms[3]', message: expect.stringMatching(/E\.164/) },
        { path: 'facilities[0].staffAlerts.sms', message: 'the same number is listed twice' },
      ]),
    );
    expect(got.map((p) => p.path)).not.toContain('facilities[0].staffAlerts.sms[0]');
    expect(problems({ staffAlerts: { sms: [] } }).map((p) => p.path)).toEqual(['facilities[0].staffAlerts.sms']);
  });

  it('refuses SMS alerts for a facility without the sms channel, naming it', () => {
    const got = problems({ channels: {}, staffAlerts: { sms: ['+639171110001'] } });
    expect(got).toEqual([{ path: 'facilities[0].staffAlerts.sms', message: expect.stringMatching(/sms channel \(channels\.sms\)/) }]);
    // a webhook alone needs no channel
    expect(problems({ channels: {}, staffAlerts: { webhook: webhook() } })).toEqual([]);
    expect(problems({ staffAlerts: { outsideHours: 'send' } })).toEqual([{ path: 'facilities[0].staffAlerts', message: 'alerts need sms numbers, a webhook, or both' }]);
  });

  it('refuses a webhook over plain http to another machine; http to this machine is fine', () => {
    expect(problems({ staffAlerts: { webhook: webhook({ url: 'http://hooks.example.org/fd' }) } })).toEqual([
      { path: 'facilities[0].staffAlerts.webhook.url', message: expect.stringMatching(/https:\/\//) },
    ]);
    expect(problems({ staffAlerts: { webhook: webhook({ url: 'not a url' }) } }).map((p) => p.path)).toContain('facilities[0].staffAlerts.webhook.url');
    expect(problems({ staffAlerts: { webhook: webhook({ url: 'http://127.0.0.1:8080/fd' }) } })).toEqual([]);
    expect(problems({ staffAlerts: { webhook: webhook({ url: 'http://localhost:8080/fd' }) } })).toEqual([]);
  });

  it('refuses a secret that is not whsec_<base64>, too short, or whose variable is not set', () => {
    const secretProblem = (secret: string) => problems({ staffAlerts: { webhook: webhook({ secret }) } });
    expect(secretProblem('plain-secret')).toEqual([{ path: 'facilities[0].staffAlerts.webhook.secret', message: expect.stringMatching(/whsec_<base64>/) }]);
    expect(secretProblem('whsec_!!!')).toEqual([{ path: 'facilities[0].staffAlerts.webhook.secret', message: expect.stringMatching(/whsec_<base64>/) }]);
    expect(secretProblem('whsec_abc')).toEqual([{ path: 'facilities[0].staffAlerts.webhook.secret', message: expect.stringMatching(/not valid base64/) }]);
    expect(secretProblem('whsec_c2hvcnQ=')).toEqual([{ path: 'facilities[0].staffAlerts.webhook.secret', message: expect.stringMatching(/too weak: .*24 bytes/) }]);
    expect(problems({ staffAlerts: { webhook: webhook() } }, {})).toEqual([{ path: 'facilities[0].staffAlerts.webhook.secret', message: 'environment variable STAFF_HOOK_SECRET is not set' }]);
  });

  it('refuses unknown keys and an unknown outsideHours, listed with the other problems in one pass', () => {
    const got = problems({ timezone: 'Mars/Olympus', channels: {}, staffAlerts: { sms: ['+639171110001'], smss: [], outsideHours: 'later', webhook: webhook({ header: 'x' }) } });
    const paths = got.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'facilities[0].timezone',
        'facilities[0].staffAlerts.smss',
        'facilities[0].staffAlerts.outsideHours',
        'facilities[0].staffAlerts.webhook.header',
        'facilities[0].staffAlerts.sms',
      ]),
    );
    expect(got.find((p) => p.path === 'facilities[0].staffAlerts.smss')?.message).toBe('unrecognized key (did you mean "sms"?)');
  });
});
