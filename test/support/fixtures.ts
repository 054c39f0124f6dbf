/**
 * The test facility's secrets, ids and config, without vitest: the e2e support (test/support/frontdesk.ts)
 * and the bench's child processes (bench/) both build on this one copy.
 */
export const SECRETS = {
  appSecret: 'test-app-secret-0123456789',
  pageToken: 'test-page-access-token',
  verifyToken: 'test-verify-token',
  viberToken: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f',
  twilioSid: 'AC00000000000000000000000000000001',
  twilioToken: 'test-twilio-auth-token',
  webhookSecret: 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==',
  staffToken: 'test-staff-token-0123456789',
  whatsappAppSecret: 'test-whatsapp-app-secret-0123',
  whatsappToken: 'test-whatsapp-access-token-0123',
  whatsappVerifyToken: 'test-whatsapp-verify-token',
} as const;

export const FACILITY = 'st-lukes';
export const PAGE_ID = '1234567890';
export const SMS_FROM = '+639170000001';
export const PUBLIC_URL = 'https://bot.example.org';
/** the WhatsApp business number's id (Meta's documented example) */
export const WA_NUMBER_ID = '106540352242922';

/** the WhatsApp block of a facility (not in testFacility: only the tests that chat on WhatsApp configure it) */
export const whatsappChannel = (templates?: Record<string, string>) => ({
  phoneNumberId: WA_NUMBER_ID,
  accessToken: SECRETS.whatsappToken,
  appSecret: SECRETS.whatsappAppSecret,
  verifyToken: SECRETS.whatsappVerifyToken,
  ...(templates ? { templates } : {}),
});

/** St. Luke's as the tests and the bench run it: every channel, its provider at `providerBaseUrl` */
export function testFacility(providerBaseUrl = 'sandbox'): Record<string, unknown> {
  return {
    id: FACILITY,
    name: "St. Luke's Clinic",
    timezone: 'Asia/Manila',
    locale: 'en',
    rescheduleCutoffHours: 24,
    reminders: ['P1D', 'PT2H'],
    quietHours: { from: '21:00', to: '08:00' },
    staffContact: '+63 2 8123 4567',
    // staff answer around the clock here, so no test depends on the time of day it runs (staff-takeover tests the hours)
    staffHours: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' },
    provider: { baseUrl: providerBaseUrl, userId: 'st-lukes', apiKey: 'st-lukes-key', webhookSecret: SECRETS.webhookSecret, timeoutMs: 20_000 },
    channels: {
      messenger: { pageId: PAGE_ID, pageAccessToken: SECRETS.pageToken, appSecret: SECRETS.appSecret, verifyToken: SECRETS.verifyToken },
      viber: { authToken: SECRETS.viberToken, name: "St Luke's" },
      sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM },
    },
  };
}
