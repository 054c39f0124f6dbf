import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messenger, MESSENGER_BODY_LIMIT } from '../../../channels/messenger/module.js';
import { TYPING_AFTER_MS } from '../../../channels/messenger/send.js';
import type { ChannelContext, ChannelRoute } from '../../../src/core/channel.js';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { InboundKind, InboundMessage, OutboundMessage, SendPurpose } from '../../../src/core/messages.js';
import type { FacilityConfig } from '../../../src/config/schema.js';
import { fakePlatform } from '../../support/fake-platform.js';
import { FACILITIES, PAGE_A, signed } from './helpers.js';

const PSID = '1254459154682919';
const now = new Date('2025-01-06T10:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();

/** a fake Graph API (base /v25.0) that notes when each request arrived */
let api: Awaited<ReturnType<typeof fakePlatform>>;
let arrived: number[];
beforeEach(async () => {
  arrived = [];
  api = await fakePlatform((_r, n) => {
    arrived.push(Date.now());
    return { status: 200, body: { recipient_id: PSID, message_id: `m_OUT_${n}` } };
  }, '/v25.0');
});
afterEach(async () => {
  await api.close();
});

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const ctx = (extra: Partial<ChannelContext<FacilityConfig>> = {}): ChannelContext<FacilityConfig> => ({
  facilities: FACILITIES.filter(messenger.configured),
  apiBase: api.url,
  perSecond: 100,
  publicUrl: 'https://bot.example.org',
  logger: quiet,
  text: (_f, key) => key,
  ...extra,
});
const route = (routes: ChannelRoute[], method: 'GET' | 'POST') => routes.find((r) => r.method === method)!;
const contact = (state?: Partial<ChannelState>): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...(state ? { channels: { messenger: { userId: PSID, ...state } } } : {}),
});
const msg = (text: string, purpose: SendPurpose = 'response'): OutboundMessage => ({ id: `out-${text}`, facilityId: 'st-lukes', channel: 'messenger', channelUserId: PSID, purpose, locale: 'en', reply: { text } });
const inbound = (kind: InboundKind): InboundMessage => ({ id: 'm_1', facilityId: 'st-lukes', channel: 'messenger', channelUserId: PSID, sentAt: hoursAgo(1), kind, text: 'hi' });
const typingBodies = () => api.requests.map((r) => JSON.parse(r.body) as { sender_action?: string }).filter((b) => b.sender_action);

describe('the Messenger channel module', () => {
  it('names itself, its API base key, its one path, its place in the reach order and its flags', () => {
    expect(messenger).toMatchObject({ name: 'messenger', apiKey: 'messenger', routePaths: ['/webhooks/messenger'], reachRank: 10, keepsSentIds: true });
    // PSIDs are not phones; nothing falls back to Messenger; its webhook greets nobody
    expect(messenger.addressIsPhone).toBeUndefined();
    expect(messenger.fallbackRank).toBeUndefined();
    expect(messenger.greetsInWebhook).toBeUndefined();
    // Graph reports no opt-out for Messenger, and it bills no conversation a bot starts
    expect(messenger.optedOut).toBeUndefined();
    expect(messenger.botInitiated).toBeUndefined();
  });

  it('is configured where a facility has a Messenger block', () => {
    expect(FACILITIES.map((f) => messenger.configured(f))).toEqual([true, true, true, false]);
  });

  it("serves the handshake on GET with every facility's verify token", () => {
    const get = route(messenger.create(ctx()).routes, 'GET');
    expect(get.path).toBe('/webhooks/messenger');
    expect(get.handshake!({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-c', 'hub.challenge': '42' })).toEqual({ ok: true, challenge: '42' });
    expect(get.handshake!({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '42' })).toEqual({ ok: false, status: 403 });
  });

  it('receives signed deliveries on POST, with a 1 MiB body limit, answered EVENT_RECEIVED', () => {
    const post = route(messenger.create(ctx()).routes, 'POST');
    expect(post.path).toBe('/webhooks/messenger');
    expect(post.maxBytes).toBe(1024 * 1024);
    expect(post.maxBytes).toBe(MESSENGER_BODY_LIMIT);
    expect(post.ack).toEqual({ type: 'text/plain', body: 'EVENT_RECEIVED' });
    expect(post.inbound!.channel).toBe('messenger');
    const r = post.inbound!.receive(signed('text.json'));
    expect(r.ok && r.value.messages.map((m) => [m.facilityId, m.channelUserId, m.text])).toEqual([['st-lukes', PSID, 'hello, world!']]);
  });

  it('sends through the API base it is given, as the page', async () => {
    const { sender } = messenger.create(ctx());
    expect(sender.channel).toBe('messenger');
    expect(await sender.send(msg('Hi'), contact({ lastInboundAt: hoursAgo(1) }), now)).toEqual({ status: 'sent', platformMessageId: 'm_OUT_1', attempts: 1 });
    expect(api.requests.map((r) => [r.path, r.headers.authorization])).toEqual([[`/v25.0/${PAGE_A}/messages`, 'Bearer token-a']]);
  });

  it('spaces sends to rateLimits.messenger (perSecond)', async () => {
    const { sender } = messenger.create(ctx({ perSecond: 2 }));
    const c = contact({ lastInboundAt: hoursAgo(1) });
    await Promise.all([sender.send(msg('one'), c, now), sender.send(msg('two'), c, now)]);
    expect(arrived).toHaveLength(2);
    // the limiter starts them 500 ms apart; the first pays for the connection, so they arrive a little closer (unspaced: a few ms)
    expect(arrived[1]! - arrived[0]!).toBeGreaterThanOrEqual(300);
  });

  it('shows typing for a turn that runs long, and nothing for a quick one', async () => {
    const { onTurnStart } = messenger.create(ctx());
    const quick = onTurnStart!('st-lukes', PSID);
    quick!();
    const slow = onTurnStart!('st-lukes', PSID);
    await new Promise((r) => setTimeout(r, TYPING_AFTER_MS + 200));
    slow!();
    expect(typingBodies()).toEqual([{ recipient: { id: PSID }, sender_action: 'typing_on' }]);
  });
});

describe('what the module learns', () => {
  it('an address: a new one starts with no window; a known one keeps its state', () => {
    expect(messenger.learn(undefined, { kind: 'address', userId: PSID })).toEqual({ userId: PSID });
    const kept = { userId: PSID, lastInboundAt: hoursAgo(2) };
    expect(messenger.learn(kept, { kind: 'address', userId: PSID })).toEqual(kept);
  });

  it('an inbound message: the PSID and when it came (the 24-hour window opens)', () => {
    const at = hoursAgo(1);
    expect(messenger.learn(undefined, { kind: 'inbound', message: inbound('message'), at })).toEqual({ userId: PSID, lastInboundAt: at });
    expect(messenger.learn({ userId: PSID, lastInboundAt: hoursAgo(40) }, { kind: 'inbound', message: inbound('message'), at })).toEqual({ userId: PSID, lastInboundAt: at });
  });

  it('a start (Get Started, a referral) opens the window too: the person acted in the thread', () => {
    const at = hoursAgo(1);
    expect(messenger.learn(undefined, { kind: 'inbound', message: inbound('start'), at })).toEqual({ userId: PSID, lastInboundAt: at });
  });

  it.each<InboundKind>(['subscribed', 'unsubscribed', 'opt_out', 'opt_in', 'help'])('a %s (no Messenger event is parsed as one) is read like any message: no subscription, no opt-out', (kind) => {
    const at = hoursAgo(1);
    expect(messenger.learn({ userId: PSID, lastInboundAt: hoursAgo(30) }, { kind: 'inbound', message: inbound(kind), at })).toEqual({ userId: PSID, lastInboundAt: at });
  });

  it('an opted_out lesson: the same address, opted out', () => {
    const at = now.toISOString();
    expect(messenger.learn({ userId: PSID, lastInboundAt: hoursAgo(1) }, { kind: 'opted_out', at })).toEqual({ userId: PSID, lastInboundAt: hoursAgo(1), optedOut: true });
    expect(messenger.learn(undefined, { kind: 'opted_out', at })).toEqual({ userId: '', optedOut: true });
  });

  it('what it learns gates what it sends: a message opens the window, which closes 24 hours later', () => {
    const { sender } = messenger.create(ctx());
    const withState = (state: ChannelState): Contact => ({ ...contact(), channels: { messenger: state } });
    const known = messenger.learn(undefined, { kind: 'address', userId: PSID });
    expect(sender.permission(msg('x'), withState(known), now)).toEqual({ ok: false, reason: 'outside_window' });
    const wrote = messenger.learn(known, { kind: 'inbound', message: inbound('message'), at: hoursAgo(1) });
    expect(sender.permission(msg('x'), withState(wrote), now)).toEqual({ ok: true, mode: 'session' });
    expect(sender.permission(msg('x'), withState(wrote), new Date(now.getTime() + 23 * 3600_000))).toEqual({ ok: false, reason: 'outside_window' });
  });
});
