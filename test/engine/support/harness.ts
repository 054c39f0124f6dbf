/** Builds an engine over a real SQLite store, the stub flow and a fake provider HTTP server. */
import { channelCatalog } from '../../../channels/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facilityConfig, type FacilityConfig } from '../../../src/config/schema.js';
import type { InboundMessage, OutboundMessage } from '../../../src/core/messages.js';
import { createEngine, type EngineDeps } from '../../../src/engine/index.js';
import { createConversations, type Conversations, type InboundEvent } from '../../../src/engine/inbound.js';
import { createSerialQueue, type SerialQueue } from '../../../src/jobs/serial.js';
import { createLogger } from '../../../src/log.js';
import { createProviderClient } from '../../../src/provider/index.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import type { FakeProvider } from './fake-provider.js';
import { stubMachine } from './stub-machine.js';

export const FACILITY_ID = 'test-clinic';

export function testFacility(baseUrl: string, overrides: Record<string, unknown> = {}): FacilityConfig {
  return facilityConfig.parse({
    id: FACILITY_ID,
    name: 'Test Clinic',
    timezone: 'Asia/Manila',
    idleResetMinutes: 60,
    provider: { baseUrl, userId: 'bot', apiKey: 'secret', webhookSecret: 'whsec_dGVzdC1zZWNyZXQ=' },
    ...overrides,
  });
}

export const tempSqliteUrl = (): string => `sqlite:${join(mkdtempSync(join(tmpdir(), 'fd-engine-')), 'store.sqlite')}`;

export interface Harness {
  /** the conversation queue's door, as the HTTP side and the dev chat use it; its queue runs */
  engine: Conversations;
  queue: SerialQueue<InboundEvent>;
  /** stops the queue, then closes the store (a process ending) */
  close(): Promise<void>;
  store: OpenedStore;
  delivered: OutboundMessage[];
  clock: { now: Date };
  /** set to make deliver throw (a crash between the turn and the outbox) */
  failDeliver: { on?: (msgs: OutboundMessage[]) => boolean };
}

export async function harness(storeUrl: string, fake: FakeProvider, clock = { now: new Date('2031-03-01T01:00:00Z') }, extra: Partial<EngineDeps> = {}): Promise<Harness> {
  const store = await openStore(storeUrl);
  const facility = testFacility(fake.baseUrl);
  const delivered: OutboundMessage[] = [];
  const failDeliver: Harness['failDeliver'] = {};
  const provider = createProviderClient({ facilityId: FACILITY_ID, baseUrl: fake.baseUrl, userId: 'bot', apiKey: 'secret', timezone: facility.timezone, retry: { maxAttempts: 1 } });
  const engine = createEngine({
    store,
    channels: channelCatalog,
    facility: (id) => (id === FACILITY_ID ? facility : undefined),
    provider: () => provider,
    calendars: async () => [],
    async deliver(msgs) {
      if (failDeliver.on?.(msgs)) throw new Error('outbox down');
      delivered.push(...msgs);
    },
    machine: stubMachine,
    // shows the key and the stub's message counter: the transcript the tests read
    render: (m) => ({ text: `${m.key}#${String(m.params?.n ?? '')}`, ...(m.choices ? { choices: m.choices.map((c) => ({ id: c.id, label: c.key })) } : {}) }),
    now: () => clock.now,
    logger: createLogger({ level: 'silent' }),
    ...extra,
  });
  const conversations = createConversations({ engine, queue: () => queue, applyReceipt: async () => undefined });
  const queue = createSerialQueue<InboundEvent>({ log: store.serial, name: 'inbound', handler: (e) => conversations.run(e), pollMs: 20, backoffMs: 50, leaseMs: 2_000, logger: createLogger({ level: 'silent' }) });
  queue.start();
  return {
    engine: conversations,
    queue,
    store,
    delivered,
    clock,
    failDeliver,
    async close() {
      await queue.stop();
      await store.close();
    },
  };
}

let seq = 0;
export function inbound(userId: string, fields: Partial<InboundMessage> = {}): InboundMessage {
  seq += 1;
  return {
    id: `m-${process.pid}-${Date.now()}-${seq}`,
    facilityId: FACILITY_ID,
    channel: 'dev',
    channelUserId: userId,
    sentAt: new Date().toISOString(),
    kind: 'message',
    ...fields,
  };
}

export const texts = (msgs: OutboundMessage[]): string[] => msgs.map((m) => m.reply.text);
