/** A real Koa server with the dev chat, the engine (real flow, SQLite store) and the sandbox provider. */
import { channelCatalog } from '../../../channels/index.js';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { facilityConfig } from '../../../src/config/schema.js';
import { createDevSender, devRoutes, DevMailbox } from '../../../src/dev/index.js';
import { createEngine, type Engine } from '../../../src/engine/index.js';
import { securityHeaders } from '../../../src/http/security-headers.js';
import { createConversations, type InboundEvent } from '../../../src/engine/inbound.js';
import { createSerialQueue } from '../../../src/jobs/serial.js';
import { createLogger } from '../../../src/log.js';
import { createProviderClient } from '../../../src/provider/index.js';
import { createSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';

export const DEV_FACILITY = 'dev-clinic';

export interface DevApp {
  baseUrl: string;
  engine: Engine;
  store: OpenedStore;
  sandbox: Sandbox;
  mailbox: DevMailbox;
  close(): Promise<void>;
}

/** `now`: the sandbox's clock (the engine keeps the real one: give it only to apps that drive the desk, not a chat booking) */
export async function startDevApp(opts: { now?: () => Date } = {}): Promise<DevApp> {
  const logger = createLogger({ level: 'silent' });
  const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'fd-dev-')), 'store.sqlite')}`);
  const sandbox = createSandbox({ facilities: [{ id: DEV_FACILITY, timezone: 'Asia/Manila', userId: 'dev-bot', apiKey: 'dev-key' }], logger, ...(opts.now ? { now: opts.now } : {}) });
  const app = new Koa();
  // the port must be known before the facility config (the sandbox's URL), the app after it
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const facility = facilityConfig.parse({
    id: DEV_FACILITY,
    name: 'Dev Clinic',
    timezone: 'Asia/Manila',
    provider: { baseUrl: `${baseUrl}/sandbox/${DEV_FACILITY}/api/v1`, userId: 'dev-bot', apiKey: 'dev-key', webhookSecret: 'whsec_ZGV2LXNlY3JldA==' },
  });
  const provider = createProviderClient({ facilityId: DEV_FACILITY, baseUrl: facility.provider.baseUrl, userId: 'dev-bot', apiKey: 'dev-key', timezone: facility.timezone, logger });
  const mailbox = new DevMailbox();
  const sender = createDevSender(mailbox);
  const engine = createEngine({
    store,
    channels: channelCatalog,
    facility: (id) => (id === DEV_FACILITY ? facility : undefined),
    provider: () => provider,
    async calendars() {
      const r = await provider.listCalendars();
      return r.ok ? r.value : [];
    },
    async deliver(msgs) {
      for (const m of msgs) await sender.send(m, undefined, new Date());
    },
    logger,
  });
  const conversations = createConversations({ engine, queue: () => queue, applyReceipt: async () => undefined });
  const queue = createSerialQueue<InboundEvent>({ log: store.serial, name: 'inbound', handler: (e) => conversations.run(e), pollMs: 20, logger });
  queue.start();
  const dev = devRoutes({ engine: conversations, facilities: [facility], sandboxStaffUrl: (id) => `${baseUrl}/sandbox/${id}/staff`, mailbox });
  app.use(securityHeaders()); // the page runs under the server's CSP, as in production
  app.use(sandbox.middleware());
  app.use(dev.routes());
  app.use(dev.allowedMethods());
  server.on('request', app.callback());
  return {
    baseUrl,
    engine,
    store,
    sandbox,
    mailbox,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await queue.stop();
      await sandbox.stop();
      await store.close();
    },
  };
}
