/**
 * A test file's world for care workflows and reminders on the whole service: the platforms' stand-in, and
 * (with a clock start) one frontdesk reading `now` from a controllable clock, started before the file's
 * tests and closed after; the desk's bookings and actions through the sandbox's staff API, each waited on
 * until its provider events are applied.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { eventually, FACILITY, providerEventApplied, staffCall, startFrontdesk, startPlatforms, testConfig, type Platforms } from './frontdesk.js';

export type Fd = Awaited<ReturnType<typeof startFrontdesk>>;

export const ZONE = 'Asia/Manila';
/** a wall-clock time in Manila */
export const local = (s: string) => DateTime.fromISO(s, { zone: ZONE });

/** a clock a test moves: `now` for startFrontdesk, `set` to a Manila time (string) or an instant */
export function controllableClock(start: DateTime | string) {
  let ms = (typeof start === 'string' ? local(start) : start).toMillis();
  return {
    now: () => new Date(ms),
    get ms() {
      return ms;
    },
    set(to: DateTime | string) {
      ms = (typeof to === 'string' ? local(to) : to).toMillis();
    },
  };
}
export type Clock = ReturnType<typeof controllableClock>;

/** starts a frontdesk, runs `fn` with it, closes it (also when `fn` throws) */
export async function withFrontdesk<T>(config: Config, opts: Parameters<typeof startFrontdesk>[1], fn: (f: Fd) => Promise<T>): Promise<T> {
  const f = await startFrontdesk(config, opts);
  try {
    return await fn(f);
  } finally {
    await f.close();
  }
}

/** the SMS rendering of a reply: its numbered choice lines */
export const numbered = (body: string) => body.split('\n').filter((l) => /^\d+[.)]\s/.test(l));
/** the labels of an SMS reply's numbered choices */
export const choiceLabels = (body: string) => [...body.matchAll(/^(\d+)[.)] (.+)$/gm)].map((m) => m[2]!);

/** one turn of a contact's conversation: its replies, once they reached final send records */
export async function turnOf(f: Fd, channel: 'sms' | 'messenger', userId: string, messageId: string): Promise<OutboundMessage[]> {
  const contact = await eventually(() => f.store.contacts.byChannelUser(FACILITY, channel, userId), `contact ${userId}`);
  const turn = await eventually(async () => {
    const t = await f.store.backend.kv.get<{ key: string; outbound: OutboundMessage[] }>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `${channel}:${messageId}` ? t : undefined;
  }, `turn of ${messageId}`);
  await eventually(async () => (await Promise.all(turn.outbound.map((o) => f.outbox.record(o.id)))).every((r) => r && r.status !== 'queued'), 'replies settled');
  return turn.outbound;
}

export interface WorkflowWorldOptions {
  /** the facility's settings over the test facility's */
  facility?: Record<string, unknown>;
  /** more of the config (e.g. `{ redis }`) */
  extra?: Partial<ConfigInput>;
  /** where the file's clock starts (Manila); the file's frontdesk runs on it. Without: only the platforms, each test starts its own */
  start?: string;
  /** the patient the desk books for */
  patient?: string;
  /**
   * the creation notice a desk booking waits for: 'only' — it is the number's only SMS so far;
   * 'another' — one more SMS than before the booking
   */
  notice?: 'only' | 'another';
}

export function useWorkflowWorld(opts: WorkflowWorldOptions = {}) {
  const clock = controllableClock(opts.start ?? DateTime.now());
  let platforms: Platforms | undefined;
  let fd: Fd | undefined;
  let config: Config | undefined;

  const smsTo = (phone: string) => world.platforms.twilio().filter((r) => r.form.To === phone).map((r) => r.form.Body ?? '');

  /** every sandbox delivery delivered and its provider event applied; returns the deliveries */
  async function settled(f: Fd) {
    const ds = await eventually(() => {
      const all = f.sandbox!.deliveries(FACILITY);
      return all.every((d) => d.status === 'delivered') ? all : undefined;
    }, 'sandbox deliveries delivered');
    for (const d of ds) await eventually(async () => await providerEventApplied(f, FACILITY, d.id), 'provider event processed');
    return ds;
  }

  const world = {
    clock,
    get platforms(): Platforms {
      return platforms!;
    },
    get fd(): Fd {
      return fd!;
    },
    get config(): Config {
      return config!;
    },
    /** a config on a new store: the world's settings, or these facility settings instead */
    newConfig(o: { facility?: Record<string, unknown> } = {}): Config {
      return testConfig({ platformsUrl: world.platforms.url, facility: o.facility ?? opts.facility, ...(opts.extra ? { extra: opts.extra } : {}) });
    },
    /** frontdesk processes one after another on one new store (the world's settings), reading `now` from their own clock */
    processes(start: string) {
      const clock = controllableClock(start);
      const config = world.newConfig();
      return { clock, run: <T>(fn: (f: Fd) => Promise<T>) => withFrontdesk(config, { now: clock.now }, fn) };
    },
    smsTo,
    graphTo: (psid: string) => world.platforms.graph().filter((r) => r.json.recipient?.id === psid && !r.json.sender_action),
    settled,
    /** the desk books calendar 102 (overbooking, type 1011 unless told) for `phone`; waits for the creation notice unless `notice: false`; returns the appointment id */
    async deskBook(f: Fd, phone: string, start: DateTime | Date, o: { notice?: boolean; type?: string; patient?: string } = {}): Promise<string> {
      const before = smsTo(phone).length;
      const r = await staffCall(f.base, 'POST', '/appointments', {
        calendarId: '102',
        appointmentTypeId: o.type ?? '1011',
        start: start instanceof Date ? start.toISOString() : start.toISO(),
        patient: { name: o.patient ?? opts.patient ?? 'Care Patient', phone },
        overbook: true,
      });
      expect(r.status).toBe(201);
      const id = r.body.appointmentId as string;
      await settled(f);
      if (o.notice ?? true) await eventually(() => (opts.notice === 'another' ? smsTo(phone).length > before : smsTo(phone).length === 1), 'creation notice');
      return id;
    },
    /** a desk action on an appointment (cancel, confirm, check-in, …), then its events applied */
    async desk(f: Fd, id: string, action: string, body: unknown = {}) {
      expect((await staffCall(f.base, 'PUT', `/appointments/${id}/${action}`, body)).status).toBe(200);
      await settled(f);
    },
    /** the job's message reached a "sent" record */
    sent: (f: Fd, jobId: string, tries?: number) => eventually(async () => (await f.outbox.record(`send:${jobId}`))?.status === 'sent', `${jobId} sent`, tries),
  };

  beforeAll(async () => {
    platforms = await startPlatforms();
    if (opts.start === undefined) return;
    config = world.newConfig();
    fd = await startFrontdesk(config, { now: clock.now });
  });
  afterAll(async () => {
    await fd?.close();
    await platforms?.close();
  });
  return world;
}
