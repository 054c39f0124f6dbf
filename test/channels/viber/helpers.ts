import { readFileSync } from 'node:fs';
import { facilityConfig, type FacilityConfig } from '../../../src/config/schema.js';
import type { RawRequest } from '../../../src/core/channel.js';
import { signViberBody } from '../../../channels/viber/verify.js';

export const TOKEN = '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9';

export const facility = (id = 'st-lukes', viber: Record<string, unknown> = { authToken: TOKEN, name: "St Luke's" }): FacilityConfig =>
  facilityConfig.parse({
    id,
    name: "St. Luke's Clinic",
    timezone: 'Asia/Manila',
    provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'k', webhookSecret: 'whsec_c2VjcmV0' },
    channels: { viber },
  });

export const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

export function viberRequest(body: Buffer | string, signature: string | null = signViberBody(body, TOKEN)): RawRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    rawBody,
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-viber-content-signature': signature }) },
    publicUrl: 'https://bot.example.org/webhooks/viber/st-lukes',
    query: {},
  };
}
