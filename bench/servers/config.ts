/** The frontdesk config every bench instance runs with: the e2e tests' facility, send APIs at the local stub. */
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { FACILITY, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM } from '../fixtures.js';

export interface FrontdeskServerOptions {
  /** `sqlite:<path>` or `redis://…` */
  store: string;
  /** jobs and locks on Redis (BullMQ) when set */
  redis?: string;
  /** the store's key namespace (unique per run on a shared Redis) */
  namespace: string;
  /** the platforms' stub (`/graph`, `/viber`, `/twilio`) */
  platformsUrl: string;
  /** mount the sandbox provider in the same server (the facility books against it) */
  sandbox: boolean;
  /** outbound messages per second per channel */
  rateLimit: number;
}

export function benchConfig(o: FrontdeskServerOptions): Config {
  const raw = {
    port: 0,
    host: '127.0.0.1',
    publicUrl: PUBLIC_URL,
    store: o.store,
    ...(o.redis ? { redis: o.redis } : {}),
    staffTokens: [SECRETS.staffToken],
    dev: false,
    sandbox: o.sandbox,
    logLevel: 'silent',
    rateLimits: { messenger: o.rateLimit, viber: o.rateLimit, sms: o.rateLimit },
    // BENCH_QUEUE='{"concurrency":1,"ackFirst":false}': the queue settings to compare (README "The queues")
    ...(process.env.BENCH_QUEUE ? { queue: JSON.parse(process.env.BENCH_QUEUE) as Record<string, unknown> } : {}),
    platformApis: { messenger: `${o.platformsUrl}/graph`, viber: `${o.platformsUrl}/viber`, twilio: `${o.platformsUrl}/twilio` },
    facilities: [
      {
        id: FACILITY,
        name: "St. Luke's Clinic",
        timezone: 'Asia/Manila',
        locale: 'en',
        rescheduleCutoffHours: 24,
        reminders: ['P1D', 'PT2H'],
        quietHours: { from: '21:00', to: '08:00' },
        staffContact: '+63 2 8123 4567',
        provider: { baseUrl: 'sandbox', userId: 'st-lukes', apiKey: 'st-lukes-key', webhookSecret: SECRETS.webhookSecret, timeoutMs: 20_000 },
        channels: {
          messenger: { pageId: PAGE_ID, pageAccessToken: SECRETS.pageToken, appSecret: SECRETS.appSecret, verifyToken: SECRETS.verifyToken },
          viber: { authToken: SECRETS.viberToken, name: "St Luke's" },
          sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM },
        },
      },
    ],
  };
  const r = validateConfig(raw, {});
  if (!r.ok) throw new Error(`bench config invalid: ${JSON.stringify(r.error)}`);
  return r.value;
}
