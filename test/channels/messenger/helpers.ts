import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawRequest } from '../../../src/core/channel.js';
import { facilityConfig, type FacilityConfig } from '../../../src/config/schema.js';
import { signBody } from '../../../channels/messenger/verify.js';

export const PAGE_A = '111111111111111';
export const PAGE_B = '222222222222222';
export const PAGE_C = '333333333333333';
export const SECRET_1 = 'app-secret-one-0123456789';
export const SECRET_2 = 'app-secret-two-9876543210';

export function facility(id: string, messenger: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): FacilityConfig {
  return facilityConfig.parse({
    id,
    name: `Clinic ${id}`,
    timezone: 'Asia/Manila',
    provider: { baseUrl: 'sandbox', userId: 'u', apiKey: 'k', webhookSecret: 'whsec_dGVzdA==' },
    channels: messenger ? { messenger } : {},
    ...extra,
  });
}

/** Two pages of one app (same secret), one page of another app, and a facility without Messenger. */
export const FACILITIES: FacilityConfig[] = [
  facility('st-lukes', { pageId: PAGE_A, pageAccessToken: 'token-a', appSecret: SECRET_1, verifyToken: 'verify-a', utilityTemplates: { reminder: 'appt_reminder_v1', update: 'appt_update_v1', language: 'en_US' } }),
  facility('st-lukes-annex', { pageId: PAGE_B, pageAccessToken: 'token-b', appSecret: SECRET_1, verifyToken: 'verify-b' }),
  facility('other-clinic', { pageId: PAGE_C, pageAccessToken: 'token-c', appSecret: SECRET_2, verifyToken: 'verify-c' }),
  facility('sms-only', undefined),
];

export const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

export function request(rawBody: Buffer, signature: string | undefined): RawRequest {
  return {
    rawBody,
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}) },
    publicUrl: 'https://bot.example.org/webhooks/messenger',
    query: {},
  };
}

export const signed = (name: string, secret = SECRET_1): RawRequest => {
  const raw = fixture(name);
  return request(raw, signBody(raw, secret));
};
