import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Bottleneck from 'bottleneck';
import type Koa from 'koa';
import type Router from '@koa/router';
import { createMessengerInbound, createMessengerSender, handshake } from '../channels/messenger/index.js';
import { createSmsInbound, createSmsStatusInbound } from '../channels/sms/index.js';
import { createSmsSender } from '../channels/sms/send.js';
import { createViberInbound, createViberSender, isBotInitiated } from '../channels/viber/index.js';
import type { Config, FacilityConfig } from './config/schema.js';
import { localeFromHint, type ChannelName, type LocaleCode } from './core/domain.js';
import type { ChannelSender } from './core/channel.js';
import type { OutboundMessage } from './core/messages.js';
import type { ProviderClient } from './core/provider.js';
import { listAttention } from './engine/attention.js';
import { createEngine, type Engine } from './engine/index.js';
import { createConversations, type Conversations, type InboundEvent } from './engine/inbound.js';
import { createSerialQueue, type SerialQueue } from './jobs/serial.js';
import { migrateInbox } from './store/migrations/inbox.js';
import { buildHttpApp } from './http/server.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { staffCredentials, staffRoutes } from './http/staff.js';
import { renderReply, t } from './i18n/index.js';
import { createJobQueue, type JobQueue } from './jobs/index.js';
import { createOutbox, type Outbox } from './jobs/outbox.js';
import { createLogger, type Logger } from './log.js';
import { createProviderClient, syncCalendars } from './provider/index.js';
import { createSandbox, type Sandbox } from './sandbox/index.js';
import { openStore } from './store/index.js';
import { probeStore } from './store/probe.js';
import { broadcastFacility, startRetention, sweep, type RetentionRunner, type SweepReport } from './store/retention.js';
import { migrateIdentity } from './store/migrations/identity.js';
import { eraseContact } from './store/erasure.js';
import { recordAudit } from './store/audit.js';

const CHAT_ERASE_JOB = 'privacy.erase';
/** webhooks waiting for their answer at once from which the workers give way (a flood, not a steady chat) */
const ACKS_PILING_UP = 4;
/** long enough for the goodbye to leave before the records it was sent from go */
const CHAT_ERASE_DELAY_MS = 30_000;
import type { Store } from './store/types.js';
import { applyProviderEvent, fireReminder, REMINDER_JOB, syncReminders, type ReminderPayload } from './sync/apply.js';
import { BROADCAST_JOB, runBroadcast, type BroadcastDeps } from './sync/broadcast.js';
import type { ProviderEvent } from './sync/events.js';
import { createDevSender, DevMailbox, devRoutes } from './dev/index.js';

export const PROVIDER_EVENT_JOB = 'provider-event';
export const INBOUND_QUEUE = 'inbound';
export const PROVIDER_QUEUE = 'provider';

interface ProviderEventItem {
  facilityId: string;
  webhookId: string;
  event: ProviderEvent;
}

/** a provider event's FIFO: its appointment (created before rescheduled), else its patient */
function providerEventKey(facilityId: string, item: ProviderEvent, webhookId: string): string {
  const data = (item as { data?: { appointment?: { appointmentId?: string }; appointmentId?: string; patientId?: string; temporaryPatientId?: string } }).data;
  const subject = data?.appointment?.appointmentId ?? data?.appointmentId ?? data?.temporaryPatientId ?? data?.patientId ?? webhookId;
  return `${facilityId}:${subject}`;
}

export interface FrontdeskOptions {
  config: Config;
  logger?: Logger;
  now?: () => Date;
  /** key namespace in the store (tests run several instances on one Redis/Postgres) */
  namespace?: string;
  /** embedded job queue poll interval (tests shorten it) */
  pollMs?: number;
}

export interface Frontdesk {
  readonly config: Config;
  readonly app: Koa;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly outbox: Outbox;
  readonly engine: Engine;
  /** the conversation queue's door: accept (acknowledgement path) and handle (dev chat, tests) */
  readonly conversations: Conversations;
  /** the keyed serial queues this instance works on */
  readonly queues: { inbound: SerialQueue<InboundEvent>; provider: SerialQueue<ProviderEventItem>; outbound: Outbox['queue'] };
  readonly metrics: Metrics;
  readonly sandbox?: Sandbox;
  readonly sync: BroadcastDeps;
  /** one retention pass now (src/store/retention.ts); the server also runs one every `retention.sweepMinutes` */
  sweep(now?: Date): Promise<SweepReport>;
  /** the URL this instance serves on, once listening */
  url(): string;
  provider(facilityId: string): ProviderClient;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** The demo's sandbox keeps its bookings next to our SQLite file, so a restart leaves both sides consistent. */
function sandboxStateFile(store: string): string | undefined {
  const m = /^sqlite:(?:\/\/)?(.+)$/.exec(store);
  if (!m?.[1] || m[1] === ':memory:') return undefined;
  return join(dirname(m[1]), 'sandbox-state.json');
}

export async function createFrontdesk(opts: FrontdeskOptions): Promise<Frontdesk> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const now = opts.now ?? (() => new Date());
  const metrics = createMetrics();
  const namespace = opts.namespace ?? 'fd';
  const facilities = new Map<string, FacilityConfig>(config.facilities.map((f) => [f.id, f]));
  const facility = (id: string) => facilities.get(id);

  const store = await openStore(config.store, { namespace, ...(config.redis ? { redisUrl: config.redis } : {}), logger });
  await migrateIdentity(store, config.facilities.map((f) => f.id), logger);
  const queue = createJobQueue({
    backend: store.backend,
    ...(config.redis ? { redisUrl: config.redis, namespace: `frontdesk-${namespace}` } : { namespace: 'jobs' }),
    logger,
    now: () => now().getTime(),
    ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
  });

  let selfUrl = '';
  const providers = new Map<string, ProviderClient>();
  const provider = (facilityId: string): ProviderClient => {
    const existing = providers.get(facilityId);
    if (existing) return existing;
    const f = facilities.get(facilityId);
    if (!f) throw new Error(`unknown facility ${facilityId}`);
    const baseUrl = f.provider.baseUrl === 'sandbox' ? `${selfUrl}/sandbox/${f.id}/api/v1` : f.provider.baseUrl;
    const client = createProviderClient({
      facilityId: f.id,
      baseUrl,
      userId: f.provider.userId,
      apiKey: f.provider.apiKey,
      timezone: f.timezone,
      timeoutMs: f.provider.timeoutMs,
      maxResponseBytes: f.provider.maxResponseBytes,
      ...(f.provider.defaultAppointmentType ? { defaultAppointmentType: f.provider.defaultAppointmentType } : {}),
      logger,
    });
    providers.set(facilityId, client);
    return client;
  };

  const sandboxFacilities = config.facilities.filter((f) => f.provider.baseUrl === 'sandbox');
  const stateFile = sandboxStateFile(config.store);
  const sandbox =
    config.sandbox && sandboxFacilities.length > 0
      ? createSandbox({
          facilities: sandboxFacilities.map((f) => ({ id: f.id, timezone: f.timezone, userId: f.provider.userId, apiKey: f.provider.apiKey, cutoffHours: f.rescheduleCutoffHours })),
          logger,
          now,
          ...(stateFile ? { stateFile } : {}),
        })
      : undefined;

  const list = config.facilities;
  const has = (ch: 'messenger' | 'viber' | 'sms') => list.some((f) => f.channels[ch]);
  const senders: Partial<Record<ChannelName, ChannelSender>> = {};
  // one limiter per channel: every attempt (retries included) is spaced to the configured rate
  const limiter = (perSecond: number) => new Bottleneck({ minTime: Math.ceil(1000 / perSecond), maxConcurrent: 8 });
  const messengerSender = has('messenger') ? createMessengerSender({ apiBase: config.platformApis.messenger, facilities: list, limiter: limiter(config.rateLimits.messenger) }) : undefined;
  if (messengerSender) senders.messenger = messengerSender;
  if (has('viber')) senders.viber = createViberSender({ apiBase: config.platformApis.viber, facilities: list, limiter: limiter(config.rateLimits.viber) });
  if (has('sms')) {
    senders.sms = createSmsSender({
      apiBase: config.platformApis.twilio,
      facilities: list,
      limiter: limiter(config.rateLimits.sms),
      ...(config.publicUrl ? { statusCallbackUrl: `${config.publicUrl.replace(/\/+$/, '')}/webhooks/sms/status` } : {}),
      logger,
    });
  }
  const mailbox = new DevMailbox();
  const dev = config.dev ? createDevSender(mailbox) : undefined;
  if (dev) senders.dev = dev;

  const q = config.queue;
  const pollMs = opts.pollMs ? { pollMs: opts.pollMs } : {};
  const outbox = createOutbox({
    serial: store.serial,
    kv: store.backend.kv,
    indexes: store.backend.indexes,
    senders,
    contacts: store.contacts,
    now,
    logger,
    concurrency: q.sendConcurrency,
    retryMs: q.sendRetrySeconds * 1000,
    leaseMs: q.leaseSeconds * 1000,
    ...pollMs,
    onOutcome: (rec) => metrics.sends.inc({ channel: rec.channel, status: rec.status, purpose: rec.purpose }),
  });
  adoptLegacySendJobs(queue, outbox);

  const calendars = async (facilityId: string) => {
    const stored = await store.calendars.get(facilityId);
    if (stored) return stored.calendars;
    const r = await syncCalendars(facilityId, provider(facilityId), store.calendars);
    return r.ok ? r.value : [];
  };
  const calendarName = async (facilityId: string, calendarId: string) => (await calendars(facilityId)).find((c) => c.id === calendarId)?.name;

  const syncDeps: BroadcastDeps = {
    store,
    queue,
    facility,
    calendarName,
    render: renderReply,
    send: async (msg) => {
      await engine.notePush(msg);
      return outbox.enqueue(msg);
    },
    logger,
    now: () => now().getTime(),
    sendStatus: async (id) => (await outbox.record(id))?.status,
    viberBotInitiated: (contact, at) => isBotInitiated(contact, at),
  };

  const engine = createEngine({
    store,
    facility,
    provider,
    calendars,
    deliver: async (msgs) => {
      if (msgs.length > 0) await outbox.enqueueBatch(msgs);
    },
    onAppointmentChanged: (appt) => syncReminders(syncDeps, appt),
    onTurnStart: (msg) => (msg.channel === 'messenger' ? messengerSender?.typingWhileSlow(msg.facilityId, msg.channelUserId) : undefined),
    now,
    logger,
    onTurn: (turn) => metrics.turns.observe(turn.ms / 1000),
    lockTtlMs: config.queue.leaseSeconds * 1000,
    // after the goodbye is sent: a durable job, so a crash in between still erases
    onErase: async (facilityId, contactId) => {
      await queue.enqueue({ id: `erase:${facilityId}:${contactId}`, name: CHAT_ERASE_JOB, payload: { facilityId, contactId }, runAt: now().getTime() + CHAT_ERASE_DELAY_MS });
    },
  });
  queue.register<{ facilityId: string; contactId: string }>(CHAT_ERASE_JOB, async (job) => {
    const { facilityId, contactId } = job.payload;
    const report = await eraseContact(store, facilityId, contactId, now());
    await recordAudit(store, { actor: 'patient-in-chat', action: 'contact.erase', facilityId, targets: { contactId }, counts: { patientsDeleted: report?.patientsDeleted.length ?? 0, appointmentsAnonymized: report?.appointmentsAnonymized.length ?? 0 }, outcome: report ? 'ok' : 'not_found' });
    logger.info({ facilityId, contactId }, 'contact erased at their request in chat');
  });

  const applyEvent = async (p: ProviderEventItem) => {
    const r = await applyProviderEvent(syncDeps, p.facilityId, p.webhookId, p.event);
    logger.info({ facilityId: p.facilityId, type: p.event.type, outcome: r.applied ? 'applied' : r.reason }, 'provider event processed');
  };
  // events accepted before the serial queue (jobs of an older version) still run
  queue.register<ProviderEventItem>(PROVIDER_EVENT_JOB, (job) => applyEvent(job.payload));
  const load = { webhooksInFlight: 0 };
  const serialOptions = { log: store.serial, ...(q.ackFirst ? { pauseWhile: () => load.webhooksInFlight >= ACKS_PILING_UP } : {}), leaseMs: q.leaseSeconds * 1000, backoffMs: q.retrySeconds * 1000, dedupeTtlMs: q.dedupeDays * 86_400_000, logger, ...pollMs };
  const observe = (name: string) => (r: { outcome: string; ms: number; waitedMs: number }) => metrics.queueRuns.observe({ queue: name, outcome: r.outcome }, r.waitedMs / 1000);
  const providerQueue = createSerialQueue<ProviderEventItem>({ ...serialOptions, name: PROVIDER_QUEUE, handler: applyEvent, concurrency: q.concurrency, maxAttempts: Math.max(8, q.attempts), onRun: observe(PROVIDER_QUEUE) });
  const conversations: Conversations = createConversations({ engine, queue: () => inboundQueue, applyReceipt: (r) => outbox.applyReceipt(r) });
  const inboundQueue = createSerialQueue<InboundEvent>({ ...serialOptions, name: INBOUND_QUEUE, handler: (e) => conversations.run(e), concurrency: q.concurrency, maxAttempts: q.attempts, onRun: observe(INBOUND_QUEUE) });
  const queues = { inbound: inboundQueue, provider: providerQueue, outbound: outbox.queue };
  metrics.watchQueues(Object.values(queues));
  queue.register<ReminderPayload>(REMINDER_JOB, async (job) => {
    const r = await fireReminder(syncDeps, job.id, job.payload);
    metrics.reminders.inc({ result: r });
  });
  queue.register<{ id: string }>(BROADCAST_JOB, (job) => runBroadcast(syncDeps, job.payload.id));

  /** the platform's language hint, else the facility's */
  const localeOf = (facilityId: string, hint?: string): LocaleCode => localeFromHint(hint) ?? ((facility(facilityId)?.locale ?? 'en') as LocaleCode);
  const routers: Router[] = [
    staffRoutes({
      staff: staffCredentials(config),
      store,
      broadcasts: syncDeps,
      facilities: list.map((f) => f.id),
      broadcastFacility: (id) => broadcastFacility(store, id),
      undeliverable: (id) => outbox.undeliverable(id),
      attention: (id) => listAttention(store.backend, id),
      now,
    }),
  ];
  if (config.dev) routers.push(devRoutes({ engine: conversations, facilities: list, mailbox, ...(sandbox ? { sandboxStaffUrl: (id: string) => `${selfUrl}/sandbox/${id}/staff` } : {}) }));

  const app = buildHttpApp({
    config,
    logger,
    metrics,
    ready: async () => ({ store: await probeStore(store.backend), queue: await queue.ping().catch(() => false), backlog: await backlogWithin(Object.values(queues), q.maxBacklogSeconds * 1000) }),
    inbound: {
      accept: async (msg) => ({ duplicate: !(facilities.has(msg.facilityId) && (await conversations.accept(msg))) }),
      acceptReceipt: (r) => conversations.acceptReceipt(r),
    },
    providerEvents: {
      accept: (facilityId, webhookId, event) => providerQueue.push({ id: `provider:${facilityId}:${webhookId}`, key: providerEventKey(facilityId, event, webhookId), payload: { facilityId, webhookId, event } }),
    },
    channels: {
      ...(has('messenger') ? { messenger: { inbound: createMessengerInbound(list), handshake: (q) => handshake(q, list) } } : {}),
      ...(has('viber')
        ? { viber: createViberInbound(list, { welcomeText: (id, hint) => t(localeOf(id, hint), 'welcome.viber', { clinic: facility(id)?.name ?? '' }) }) }
        : {}),
      ...(has('sms') ? { sms: createSmsInbound(list), smsStatus: createSmsStatusInbound(list) } : {}),
    },
    routers,
    load,
    ...(sandbox ? { sandbox: sandbox.middleware() } : {}),
  });

  let server: Server | undefined;
  let retention: RetentionRunner | undefined;
  const timers: NodeJS.Timeout[] = [];

  /** calendar syncs under way: close() waits for them, so none writes to a closed store */
  const syncing = new Set<Promise<void>>();
  const syncCalendarsOf = (f: FacilityConfig): Promise<void> => {
    const run = (async () => {
      try {
        const r = await syncCalendars(f.id, provider(f.id), store.calendars);
        if (!r.ok) logger.warn({ facilityId: f.id, error: r.error.kind }, 'calendar sync failed; keeping the stored copy');
      } catch (e) {
        logger.error({ facilityId: f.id, err: e instanceof Error ? e.message : String(e) }, 'calendar sync failed');
      }
    })();
    syncing.add(run);
    void run.finally(() => syncing.delete(run));
    return run;
  };

  return {
    config,
    app,
    store,
    queue,
    outbox,
    engine,
    conversations,
    queues,
    metrics,
    sync: syncDeps,
    sweep: (at) => sweep(store, at ?? now(), config.retention, logger),
    ...(sandbox ? { sandbox } : {}),
    url: () => selfUrl,
    provider,
    async listen(port = config.port, host = config.host) {
      server = app.listen(port, host);
      await new Promise<void>((resolve, reject) => {
        server!.once('listening', resolve);
        server!.once('error', reject);
      });
      const addr = server.address() as AddressInfo;
      selfUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${addr.port}`;
      for (const f of sandboxFacilities) sandbox?.setWebhookTarget(f.id, `${selfUrl}/webhooks/provider/${f.id}`, f.provider.webhookSecret);
      await queue.start();
      const moved = await migrateInbox(store, conversations, logger);
      if (moved > 0) logger.info({ moved }, 'messages left by an older version were queued');
      for (const sq of Object.values(queues)) sq.start();
      for (const f of list) {
        void syncCalendarsOf(f);
        const tmr = setInterval(() => void syncCalendarsOf(f), f.calendarSyncMinutes * 60_000);
        tmr.unref();
        timers.push(tmr);
      }
      retention = startRetention({ store, periods: config.retention, everyMs: config.retention.sweepMinutes * 60_000, firstAfterMs: Math.min(config.retention.sweepMinutes * 60_000, 5 * 60_000), now, logger, owner: `${namespace}:${process.pid}:${selfUrl}` });
      metrics.up.set(1);
      return selfUrl;
    },
    async close() {
      metrics.up.set(0);
      for (const tmr of timers) clearInterval(tmr);
      if (server) {
        server.closeIdleConnections();
        await new Promise<void>((r) => server!.close(() => r()));
      }
      await retention?.stop();
      await Promise.all([...syncing]);
      // turns first (they hand replies to the outbox), then provider events, then the sends
      await inboundQueue.stop();
      await providerQueue.stop();
      await outbox.queue.stop();
      await queue.stop();
      await sandbox?.stop();
      await store.close();
    },
  };
}

/** true while the oldest waiting item of every queue is younger than `maxMs` */
async function backlogWithin(queues: { stats(): Promise<{ oldestAt?: number }> }[], maxMs: number): Promise<boolean> {
  try {
    const stats = await Promise.all(queues.map((sq) => sq.stats()));
    return stats.every((s) => s.oldestAt === undefined || Date.now() - s.oldestAt <= maxMs);
  } catch {
    return false;
  }
}

/** sends scheduled as jobs by an older version: handed to the recipients' queue (a sent one is not sent again) */
function adoptLegacySendJobs(queue: JobQueue, outbox: Outbox): void {
  queue.register<OutboundMessage>('outbox.send', async (job) => void (await outbox.enqueue(job.payload)));
  queue.register<{ messages: OutboundMessage[] }>('outbox.batch', async (job) => void (await outbox.enqueueBatch(job.payload.messages)));
}
