import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { facilityConfig, type FacilityConfig } from '../../../src/config/schema.js';
import type { RawRequest } from '../../../src/core/channel.js';

export const ACCOUNT_SID = 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const AUTH_TOKEN = '12345678901234567890123456789012';
export const OUR_NUMBER = '+639170000001';
export const PUBLIC_BASE = 'https://bot.example.org';

export const facility = (id = 'st-lukes', from = OUR_NUMBER, authToken = AUTH_TOKEN): FacilityConfig =>
  facilityConfig.parse({
    id,
    name: "St. Luke's Clinic",
    timezone: 'Asia/Manila',
    provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'k', webhookSecret: 'whsec_c2VjcmV0' },
    channels: { sms: { accountSid: ACCOUNT_SID, authToken, from } },
  });

export const params = (name: string, override: Record<string, string> = {}): Record<string, string> => ({
  ...(JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>),
  ...override,
});

export const json = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

/** A request as our HTTP layer hands it over, signed by the twilio package for `signedUrl`. */
export function twilioRequest(
  form: Record<string, string>,
  opts: { publicUrl: string; signedUrl?: string | null; token?: string; contentType?: string },
): RawRequest {
  const signedUrl = opts.signedUrl === undefined ? opts.publicUrl : opts.signedUrl;
  const headers: Record<string, string | undefined> = { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded' };
  if (signedUrl !== null) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(opts.token ?? AUTH_TOKEN, signedUrl, form);
  return { rawBody: Buffer.from(new URLSearchParams(form).toString()), headers, publicUrl: opts.publicUrl, query: {} };
}
