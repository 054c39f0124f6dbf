import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawRequest } from '../../../src/core/channel.js';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { OutboundMessage, Reply, SendPurpose } from '../../../src/core/messages.js';
import { facilityConfig, type FacilityConfig } from '../../../src/config/schema.js';
import { signBody } from '../../../channels/whatsapp/verify.js';

/** Meta's documented example number id, and two more */
export const NUMBER_A = '106540352242922';
export const NUMBER_B = '106540352242933';
export const NUMBER_C = '209876543210987';
export const SECRET_1 = 'wa-app-secret-one-0123456789';
export const SECRET_2 = 'wa-app-secret-two-9876543210';
/** the user of Meta's examples, as wa_id and as our address */
export const WA_ID = '16505551234';
export const USER = `+${WA_ID}`;

export function facility(id: string, whatsapp: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): FacilityConfig {
  return facilityConfig.parse({
    id,
    name: `Clinic ${id}`,
    timezone: 'Asia/Manila',
    provider: { baseUrl: 'sandbox', userId: 'u', apiKey: 'k', webhookSecret: 'whsec_dGVzdA==' },
    channels: whatsapp ? { whatsapp } : {},
    ...extra,
  });
}

/** Two numbers of one Meta app (same secret), one number of another app, and a facility without WhatsApp. */
export const FACILITIES: FacilityConfig[] = [
  facility('st-lukes', {
    phoneNumberId: NUMBER_A,
    accessToken: 'EAAG-token-a',
    appSecret: SECRET_1,
    verifyToken: 'verify-a',
    templates: { reminder: 'appointment_reminder', update: 'appointment_update', language: 'en_US' },
  }),
  facility('st-lukes-annex', { phoneNumberId: NUMBER_B, accessToken: 'EAAG-token-b', appSecret: SECRET_1, verifyToken: 'verify-b' }),
  facility('other-clinic', { phoneNumberId: NUMBER_C, accessToken: 'EAAG-token-c', appSecret: SECRET_2, verifyToken: 'verify-c' }, { country: 'ID' }),
  facility('sms-only', undefined),
];

export const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

export function request(rawBody: Buffer, signature: string | undefined): RawRequest {
  return {
    rawBody,
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}) },
    publicUrl: 'https://bot.example.org/webhooks/whatsapp',
    query: {},
  };
}

export const signed = (name: string, secret = SECRET_1): RawRequest => {
  const raw = fixture(name);
  return request(raw, signBody(raw, secret));
};

/** a JSON body, signed */
export const signedJson = (body: unknown, secret = SECRET_1): RawRequest => {
  const raw = Buffer.from(JSON.stringify(body));
  return request(raw, signBody(raw, secret));
};

export const NOW = new Date('2025-06-09T10:00:00.000Z');
export const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();

/** a contact with this WhatsApp state (the address is USER unless the state says otherwise) */
export function contact(state?: Partial<ChannelState>): Contact {
  return {
    id: 'c1',
    facilityId: 'st-lukes',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...(state ? { channels: { whatsapp: { userId: USER, ...state } } } : {}),
  };
}

export const message = (reply: Reply, purpose: SendPurpose = 'response', facilityId = 'st-lukes', channelUserId = USER): OutboundMessage => ({
  id: `out-${Math.random().toString(36).slice(2)}`,
  facilityId,
  channel: 'whatsapp',
  channelUserId,
  purpose,
  locale: 'en',
  reply,
});
