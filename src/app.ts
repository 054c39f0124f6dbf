import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type Router from '@koa/router';
import { channelCatalog, startChannels, type RunningChannels } from '../channels/index.js';
import type { Config, FacilityConfig } from './config/schema.js';
import { localeFromHint, type LocaleCode } from './core/domain.js';
import type { ProviderClient } from './core/provider.js';
import { createDevSender, DevMailbox, devRoutes } from './dev/index.js';
import { listAttention } from './engine/attention.js';
import { createEngine, type Engine } from './engine/index.js';
import { createConversations, type Conversations, type InboundEvent } from './engine/inbound.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { buildHttpApp } from './http/server.js';
import { staffCredentials, staffRoutes, type StaffMember } from './http/staff.js';
import { authLimiter } from './http/staff-auth-limit.js';
import { recordAudit } from './store/audit.js';
import { staffConsoleRoutes } from './http/staff-console.js';
import { LiveStreams } from './http/staff-live.js';
import { consoleSessions } from './http/staff-session.js';
import { renderReply, t } from './i18n/index.js';
import { createJobQueue, type JobQueue } from './jobs/index.js';
import { adoptLegacySendJobs } from './jobs/legacy.js';
import { createOutbox, type Outbox } from './jobs/outbox.js';
import { chatEraseJob, registerChatErase } from './jobs/privacy-erase.js';
import { createSerialQueue, type SerialQueue } from './jobs/serial.js';
import { createLogger, type Logger } from './log.js';
import type { Sandbox } from './sandbox/index.js';
import { openStore } from './store/index.js';
import { reachedStatus } from './store/send-records.js';
import { migrateIdentity } from './store/migrations/identity.js';
import { migrateInbox } from './store/migrations/inbox.js';
import { probeStore } from './store/probe.js';
import { broadcastFacility, startRetention, sweep, type RetentionRunner, type SweepReport } from './store/retention.js';
import type { Store } from './store/types.js';
import type { BroadcastDeps } from './sync/broadcast.js';
import { appointmentChangedJob, providerEventHandler, providerEventItem, registerSyncJobs, type ProviderEventItem } from './sync/jobs.js';
import { registerTicketAlerts, ticketAlertJobs } from './sync/ticket-alerts.js';
import { registerTicketJobs, ticketUnansweredJob } from './sync/tickets.js';
import { createProviders, type Providers } from './wiring/providers.js';

export const INBOUND_QUEUE = 'inbound';
export const PROVIDER_QUEUE = 'provider';
/** webhooks waiting for their answer at once from which the workers give way (a flood, not a steady chat) */
const ACKS_PILING_UP = 4;

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
  readonly queues: Queues;
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

type Queues = { inbound: SerialQueue<InboundEvent>; provider: SerialQueue<ProviderEventItem>; outbound: Outbox['queue'] };

/** What every room is built on: the config, the clock, the log, the metrics, the store and the job queue. */
interface Base {
  config: Config;
  logger: Logger;
  now: () => Date;
  metrics: Metrics;
  namespace: string;
  facility: (id: string) => FacilityConfig | undefined;
  store: Store;
  queue: JobQueue;
  pollMs: { pollMs?: number };
}

async function openBase(opts: FrontdeskOptions): Promise<Base> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const now = opts.now ?? (() => new Date());
  const namespace = opts.namespace ?? 'fd';
  const facilities = new Map<string, FacilityConfig>(config.facilities.map((f) => [f.id, f]));
  const store = await openStore(config.store, { namespace, ...(config.redis ? { redisUrl: config.redis } : {}), logger });
  await migrateIdentity(store, config.facilities.map((f) => f.id), logger);
  const pollMs = opts.pollMs ? { pollMs: opts.pollMs } : {};
  const queue = createJobQueue({
    backend: store.backend,
    ...(config.redis ? { redisUrl: config.redis, namespace: `frontdesk-${namespace}` } : { namespace: 'jobs' }),
    logger,
    now: () => now().getTime(),
    ...pollMs,
  });
  return { config, logger, now, metrics: createMetrics(), namespace, facility: (id) => facilities.get(id), store, queue, pollMs };
}

/** The outbox: every channel's sender (and the dev chat's), one FIFO per recipient. */
function openOutbox(base: Base, channels: RunningChannels, mailbox: DevMailbox): Outbox {
  const { config, store, metrics } = base;
  const q = config.queue;
  const senders = { ...channels.senders, ...(config.dev ? { dev: createDevSender(mailbox) } : {}) };
  const outbox = createOutbox({
    serial: store.serial,
    records: store.sendRecords,
    senders,
    channels: channelCatalog,
    contacts: store.contacts,
    now: base.now,
    logger: base.logger,
    concurrency: q.sendConcurrency,
    retryMs: q.sendRetrySeconds * 1000,
    leaseMs: q.leaseSeconds * 1000,
    ...base.pollMs,
    onOutcome: (rec) => metrics.sends.inc({ channel: rec.channel, status: rec.status, purpose: rec.purpose }),
  });
  adoptLegacySendJobs(base.queue, outbox);
  return outbox;
}

/** The conversation engine: a turn's replies go to the outbox; its appointment changes and erasures become jobs. */
function openEngine(base: Base, providers: Providers, channels: RunningChannels, outbox: Outbox): Engine {
  const { store, queue, now, metrics } = base;
  return createEngine({
    store,
    facility: base.facility,
    provider: providers.provider,
    calendars: providers.calendars,
    deliver: async (msgs) => {
      if (msgs.length > 0) await outbox.enqueueBatch(msgs);
    },
    // an event on the job queue, not a call into sync: the reminders follow off the turn, durably
    onAppointmentChanged: async (appt) => void (await queue.enqueue(appointmentChangedJob(appt))),
    onTicketOpened: async (ticket) => {
      const f = base.facility(ticket.facilityId);
      await queue.enqueue(ticketUnansweredJob(ticket, f?.staffReplyMinutes ?? 30));
      // one job per alert target, by stable id: a repeated handoff or a second instance alerts once
      for (const job of f ? ticketAlertJobs(ticket, f, now()) : []) await queue.enqueue(job);
    },
    onSurveyScore: (facilityId, score) => metrics.surveyScores.inc({ facility: facilityId, score: String(score) }),
    onTicketUrgent: async (ticket) => {
      const f = base.facility(ticket.facilityId);
      for (const job of f ? ticketAlertJobs(ticket, f, now(), 'urgent') : []) await queue.enqueue(job);
    },
    onTurnStart: (msg) => channels.onTurnStart(msg),
    channels: channelCatalog,
    now,
    logger: base.logger,
    onTurn: (turn) => metrics.turns.observe(turn.ms / 1000),
    lockTtlMs: base.config.queue.leaseSeconds * 1000,
    // after the goodbye is sent: a durable job, so a crash in between still erases
    onErase: async (facilityId, contactId) => void (await queue.enqueue(chatEraseJob(facilityId, contactId, now().getTime()))),
  });
}

/** The keyed serial queues: conversations (one FIFO per chat user), provider events (per appointment), sends. */
function openQueues(base: Base, conversations: Conversations, applyEvent: (p: ProviderEventItem) => Promise<void>, outbox: Outbox, load: { webhooksInFlight: number }): Queues {
  const { config, store, metrics } = base;
  const q = config.queue;
  const serialOptions = { log: store.serial, ...(q.ackFirst ? { pauseWhile: () => load.webhooksInFlight >= ACKS_PILING_UP } : {}), leaseMs: q.leaseSeconds * 1000, backoffMs: q.retrySeconds * 1000, dedupeTtlMs: q.dedupeDays * 86_400_000, logger: base.logger, ...base.pollMs };
  const observe = (name: string) => (r: { outcome: string; ms: number; waitedMs: number }) => metrics.queueRuns.observe({ queue: name, outcome: r.outcome }, r.waitedMs / 1000);
  const provider = createSerialQueue<ProviderEventItem>({ ...serialOptions, name: PROVIDER_QUEUE, handler: applyEvent, concurrency: q.concurrency, maxAttempts: Math.max(8, q.attempts), onRun: observe(PROVIDER_QUEUE) });
  const inbound = createSerialQueue<InboundEvent>({ ...serialOptions, name: INBOUND_QUEUE, handler: (e) => conversations.run(e), concurrency: q.concurrency, maxAttempts: q.attempts, onRun: observe(INBOUND_QUEUE) });
  const queues = { inbound, provider, outbound: outbox.queue };
  metrics.watchQueues(Object.values(queues));
  return queues;
}

export async function createFrontdesk(opts: FrontdeskOptions): Promise<Frontdesk> {
  const base = await openBase(opts);
  const { config, logger, now, metrics, store, queue } = base;
  const providers = createProviders(config, store, logger, now);
  const channels = startChannels(config, { logger, text: channelText(base), now });
  const mailbox = new DevMailbox();
  const outbox = openOutbox(base, channels, mailbox);
  const sync: BroadcastDeps = {
    store,
    queue,
    facility: base.facility,
    calendarName: providers.calendarName,
    render: renderReply,
    send: (msg) => outbox.enqueue(msg),
    logger,
    now: () => now().getTime(),
    sendStatus: async (id) => (await outbox.record(id))?.status,
    channels: channelCatalog,
    availability: (facilityId, q) => providers.provider(facilityId).availability(q),
  };
  const engine = openEngine(base, providers, channels, outbox);
  registerChatErase(queue, store, now, logger);
  registerSyncJobs(queue, sync, { onReminder: (result) => metrics.reminders.inc({ result }), onCare: (kind, result) => metrics.care.inc({ kind, result }) });
  registerTicketJobs(queue, sync);
  registerTicketAlerts(queue, { ...sync, text: t, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) });
  const load = { webhooksInFlight: 0 };
  const live = new LiveStreams();
  const conversations = createConversations({ engine, queue: () => queues.inbound, applyReceipt: (r) => outbox.applyReceipt(r) });
  const queues = openQueues(base, conversations, providerEventHandler(sync), outbox, load);
  const app = buildHttpApp({
    config,
    logger,
    metrics,
    ready: async () => ({ store: await probeStore(store.backend), queue: await queue.ping().catch(() => false), backlog: await backlogWithin(Object.values(queues), config.queue.maxBacklogSeconds * 1000) }),
    inbound: {
      accept: async (msg) => ({ duplicate: !(base.facility(msg.facilityId) && (await conversations.accept(msg))) }),
      acceptReceipt: (r) => conversations.acceptReceipt(r),
    },
    providerEvents: { accept: (facilityId, webhookId, event) => queues.provider.push(providerEventItem(facilityId, webhookId, event)) },
    channels: channels.routes,
    routers: routersOf(base, { sync, outbox, conversations, mailbox, providers, live }),
    load,
    ...(providers.sandbox ? { sandbox: providers.sandbox.middleware() } : {}),
  });
  const life = lifecycle(base, { app, providers, conversations, queues, live });
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
    sync,
    sweep: (at) => sweep(store, at ?? now(), config.retention, logger),
    ...(providers.sandbox ? { sandbox: providers.sandbox } : {}),
    url: providers.selfUrl,
    provider: providers.provider,
    listen: life.listen,
    close: life.close,
  };
}

/** the localized text a channel asks for (Viber's welcome): the platform's language hint, else the facility's */
const channelText = (base: Base) => (facilityId: string, key: string, hint?: string) =>
  t(localeFromHint(hint) ?? ((base.facility(facilityId)?.locale ?? 'en') as LocaleCode), key, { clinic: base.facility(facilityId)?.name ?? '' });

/** The staff API, and the dev chat when configured. */
function routersOf(base: Base, r: { sync: BroadcastDeps; outbox: Outbox; conversations: Conversations; mailbox: DevMailbox; providers: Providers; live: LiveStreams }): Router[] {
  const { config, store } = base;
  const ids = config.facilities.map((f) => f.id);
  const sessions = consoleSessions({ sessions: store.staffSessions, staff: staffCredentials(config), hours: config.staffSessionHours, now: base.now });
  const limiter = authLimiter({ failures: store.authFailures, ...config.staffAuthLimit, now: base.now, logger: base.logger });
  const audit = async (member: StaffMember, action: 'staff.login' | 'staff.logout') => {
    for (const facilityId of member.facilities === '*' ? ids : member.facilities) await recordAudit(store, { actor: member.name, action, facilityId, at: base.now() });
  };
  const routers: Router[] = [
    staffConsoleRoutes({ sessions, logger: base.logger, limiter, audit }),
    staffRoutes({
      authLimit: limiter,
      sessions: sessions.members,
      live: r.live,
      facilityNames: (id) => base.facility(id)?.name,
      facilityZones: (id) => base.facility(id)?.timezone,
      staff: staffCredentials(config),
      store,
      broadcasts: r.sync,
      facilities: ids,
      broadcastFacility: (id) => broadcastFacility(store, id),
      undeliverable: (id) => r.outbox.undeliverable(id),
      attention: (id) => listAttention(store, id),
      sendStatus: async (id) => reachedStatus(await r.outbox.record(id)),
      tickets: {
        send: (msg) => r.outbox.enqueue(msg),
        sendStatus: async (id) => (await r.outbox.record(id))?.status,
        locale: (id) => (base.facility(id)?.locale ?? 'en') as LocaleCode,
        text: (locale, key) => t(locale, key),
      },
      now: base.now,
    }),
  ];
  const sandboxStaffUrl = r.providers.sandbox ? { sandboxStaffUrl: (id: string) => `${r.providers.selfUrl()}/sandbox/${id}/staff` } : {};
  if (config.dev) routers.push(devRoutes({ engine: r.conversations, facilities: config.facilities, mailbox: r.mailbox, ...sandboxStaffUrl }));
  return routers;
}

/** Start: serve, point the sandbox's webhooks here, start the queues, the calendar syncs and retention. Stop: the reverse. */
function lifecycle(base: Base, parts: { app: Koa; providers: Providers; conversations: Conversations; queues: Queues; live: LiveStreams }) {
  const { config, store, queue, metrics, logger, now } = base;
  const { app, providers, queues } = parts;
  let server: Server | undefined;
  let retention: RetentionRunner | undefined;
  const timers: NodeJS.Timeout[] = [];
  return {
    async listen(port = config.port, host = config.host): Promise<string> {
      server = app.listen(port, host);
      await new Promise<void>((resolve, reject) => {
        server!.once('listening', resolve);
        server!.once('error', reject);
      });
      const addr = server.address() as AddressInfo;
      const selfUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${addr.port}`;
      providers.setSelfUrl(selfUrl);
      for (const f of providers.sandboxFacilities) providers.sandbox?.setWebhookTarget(f.id, `${selfUrl}/webhooks/provider/${f.id}`, f.provider.webhookSecret);
      await queue.start();
      const moved = await migrateInbox(store, parts.conversations, logger);
      if (moved > 0) logger.info({ moved }, 'messages left by an older version were queued');
      for (const sq of Object.values(queues)) sq.start();
      for (const f of config.facilities) {
        void providers.syncCalendarsOf(f);
        const tmr = setInterval(() => void providers.syncCalendarsOf(f), f.calendarSyncMinutes * 60_000);
        tmr.unref();
        timers.push(tmr);
      }
      const every = config.retention.sweepMinutes * 60_000;
      retention = startRetention({ store, periods: config.retention, everyMs: every, firstAfterMs: Math.min(every, 5 * 60_000), now, logger, owner: `${base.namespace}:${process.pid}:${selfUrl}` });
      metrics.up.set(1);
      return selfUrl;
    },
    async close(): Promise<void> {
      metrics.up.set(0);
      for (const tmr of timers) clearInterval(tmr);
      if (server) {
        parts.live.endAll();
        server.closeIdleConnections();
        await new Promise<void>((r) => server!.close(() => r()));
      }
      await retention?.stop();
      await providers.settled();
      // turns first (they hand replies to the outbox), then provider events, then the sends
      await queues.inbound.stop();
      await queues.provider.stop();
      await queues.outbound.stop();
      await queue.stop();
      await providers.sandbox?.stop();
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

