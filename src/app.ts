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
import type { ChannelName, LocaleCode } from './core/domain.js';
import type { ChannelSender } from './core/channel.js';
import type { ProviderClient } from './core/provider.js';
import { listAttention } from './engine/attention.js';
import { createEngine, type Engine } from './engine/index.js';
import { buildHttpApp } from './http/server.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { staffCredentials, staffRoutes } from './http/staff.js';
import { renderReply, t } from './i18n/index.js';
import { createJobQueue, type JobQueue } from './jobs/index.js';
import { createOutbox, type Outbox } from './jobs/outbox.js';
import { createLogger, type Logger } from './log.js';
import { createProviderClient, readCalendars, syncCalendars } from './provider/index.js';
import { createSandbox, type Sandbox } from './sandbox/index.js';
import { openStore } from './store/index.js';
import { probeStore } from './store/probe.js';
import { broadcastFacility, startRetention, sweep, type RetentionRunner, type SweepReport } from './store/retention.js';
import { migrateIdentity } from './store/migrations/identity.js';
import { eraseContact } from './store/erasure.js';
import { recordAudit } from './store/audit.js';

const CHAT_ERASE_JOB = 'privacy.erase';
/** long enough for the goodbye to leave before the records it was sent from go */
const CHAT_ERASE_DELAY_MS = 30_000;
import type { Store } from './store/types.js';
import { applyProviderEvent, fireReminder, REMINDER_JOB, syncReminders, type ReminderPayload } from './sync/apply.js';
import { BROADCAST_JOB, runBroadcast, type BroadcastDeps } from './sync/broadcast.js';
import type { ProviderEvent } from './sync/events.js';
import { createDevSender, DevMailbox, devRoutes } from './dev/index.js';

export const PROVIDER_EVENT_JOB = 'provider-event';

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

  const outbox = createOutbox({
    queue,
    kv: store.backend.kv,
    indexes: store.backend.indexes,
    senders,
    contacts: store.contacts,
    locks: store.locks,
    now,
    logger,
    onOutcome: (rec) => metrics.sends.inc({ channel: rec.channel, status: rec.status, purpose: rec.purpose }),
  });

  const calendars = async (facilityId: string) => {
    const stored = await readCalendars(store.backend.kv, facilityId);
    if (stored) return stored.calendars;
    const r = await syncCalendars(facilityId, provider(facilityId), store.backend.kv);
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
    onTurnStart: (msg) => {
      if (msg.channel === 'messenger' && messengerSender) void messengerSender.typing(msg.facilityId, msg.channelUserId, true);
    },
    now,
    logger,
    onTurn: (turn) => metrics.turns.observe(turn.ms / 1000),
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

  queue.register<{ facilityId: string; webhookId: string; event: ProviderEvent }>(PROVIDER_EVENT_JOB, async (job) => {
    const r = await applyProviderEvent(syncDeps, job.payload.facilityId, job.payload.webhookId, job.payload.event);
    logger.info({ facilityId: job.payload.facilityId, type: job.payload.event.type, outcome: r.applied ? 'applied' : r.reason }, 'provider event processed');
  });
  queue.register<ReminderPayload>(REMINDER_JOB, async (job) => {
    const r = await fireReminder(syncDeps, job.id, job.payload);
    metrics.reminders.inc({ result: r });
  });
  queue.register<{ id: string }>(BROADCAST_JOB, (job) => runBroadcast(syncDeps, job.payload.id));

  /** the platform's language hint (Viber sends e.g. "en", "tl", "fil", "id", "in-ID"), else the facility's */
  const localeOf = (facilityId: string, hint?: string): LocaleCode => {
    const h = hint?.toLowerCase() ?? '';
    if (/^(id|in)\b/.test(h)) return 'id';
    if (/^(fil|tl)\b/.test(h)) return 'fil';
    if (/^en\b/.test(h)) return 'en';
    return (facility(facilityId)?.locale ?? 'en') as LocaleCode;
  };
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
  if (config.dev) routers.push(devRoutes({ engine, facilities: list, mailbox, ...(sandbox ? { sandboxStaffUrl: (id: string) => `${selfUrl}/sandbox/${id}/staff` } : {}) }));

  const app = buildHttpApp({
    config,
    logger,
    metrics,
    ready: async () => ({ store: await probeStore(store.backend), queue: await queue.ping().catch(() => false) }),
    inbound: {
      accept: async (msg) => {
        const r = await engine.accept(msg);
        return { duplicate: r.duplicate, ...(r.contactId && !r.duplicate ? { conversation: { facilityId: msg.facilityId, contactId: r.contactId } } : {}) };
      },
      drain: (facilityId, contactId) => engine.drain(facilityId, contactId),
    },
    receipts: outbox,
    providerEvents: {
      accept: (facilityId, webhookId, event) =>
        queue.enqueue({ id: `pwh:${facilityId}:${webhookId}`, name: PROVIDER_EVENT_JOB, payload: { facilityId, webhookId, event }, attempts: 8 }),
    },
    channels: {
      ...(has('messenger') ? { messenger: { inbound: createMessengerInbound(list), handshake: (q) => handshake(q, list) } } : {}),
      ...(has('viber')
        ? { viber: createViberInbound(list, { welcomeText: (id, hint) => t(localeOf(id, hint), 'welcome.viber', { clinic: facility(id)?.name ?? '' }) }) }
        : {}),
      ...(has('sms') ? { sms: createSmsInbound(list), smsStatus: createSmsStatusInbound(list) } : {}),
    },
    routers,
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
        const r = await syncCalendars(f.id, provider(f.id), store.backend.kv);
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
      const recovered = await engine.recover();
      if (recovered > 0) logger.info({ recovered }, 'finished conversations interrupted by the last stop');
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
      await queue.stop();
      await sandbox?.stop();
      await store.close();
    },
  };
}
