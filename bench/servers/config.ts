/** The frontdesk config every bench instance runs with: the e2e tests' facility, send APIs at the local stub. */
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { testFacility } from '../../test/support/fixtures.js';
import { PUBLIC_URL, SECRETS } from '../fixtures.js';

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
    facilities: [testFacility()],
  };
  const r = validateConfig(raw, {});
  if (!r.ok) throw new Error(`bench config invalid: ${JSON.stringify(r.error)}`);
  return r.value;
}
