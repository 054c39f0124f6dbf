import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viber, VIBER_BODY_LIMIT } from '../../../channels/viber/module.js';
import { isBotInitiated } from '../../../channels/viber/rules.js';
import type { ChannelContext } from '../../../src/core/channel.js';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { InboundKind, InboundMessage, OutboundMessage, SendPurpose } from '../../../src/core/messages.js';
import type { FacilityConfig } from '../../../src/config/schema.js';
import { fakeViber } from './fake-viber.js';
import { facility, fixture, TOKEN, viberRequest } from './helpers.js';

const USER = '01234567890A=';
const now = new Date('2025-03-03T10:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();
const noViber = facility('no-viber');
noViber.channels.viber = undefined;
const FACILITIES = [facility('st-lukes'), noViber];

/** a fake Viber REST API (base /pa) that notes when each request arrived */
let api: Awaited<ReturnType<typeof fakeViber>>;
let arrived: number[];
beforeEach(async () => {
  arrived = [];
  api = await fakeViber((_r, n) => {
    arrived.push(Date.now());
    // message_token is a 64-bit integer literal in Viber's JSON
    return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"status":0,"status_message":"ok","message_token":${5741311803571721000 + n}}` };
  });
});
afterEach(async () => {
  await api.close();
});

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const ctx = (extra: Partial<ChannelContext<FacilityConfig>> = {}): ChannelContext<FacilityConfig> => ({
  facilities: FACILITIES.filter(viber.configured),
  apiBase: api.url,
  perSecond: 100,
  publicUrl: 'https://bot.example.org',
  logger: quiet,
  text: (facilityId, key, hint) => `${facilityId}:${key}:${hint}`,
  ...extra,
});
const contact = (state?: Partial<ChannelState>): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  ...(state ? { channels: { viber: { userId: USER, ...state } } } : {}),
});
const msg = (text: string, purpose: SendPurpose = 'response'): OutboundMessage => ({ id: `out-${text}`, facilityId: 'st-lukes', channel: 'viber', channelUserId: USER, purpose, locale: 'en', reply: { text } });
const inbound = (kind: InboundKind): InboundMessage => ({ id: '4912661846655238145', facilityId: 'st-lukes', channel: 'viber', channelUserId: USER, sentAt: hoursAgo(1), kind, text: 'hi' });
const learnFrom = (state: ChannelState | undefined, kind: InboundKind, at = hoursAgo(1)) => viber.learn(state, { kind: 'inbound', message: inbound(kind), at });

describe('the Viber channel module', () => {
  it('names itself, its API base key, its per-facility path, its place in the reach order and its flags', () => {
    expect(viber).toMatchObject({ name: 'viber', apiKey: 'viber', routePaths: ['/webhooks/viber/:facilityId'], reachRank: 20, greetsInWebhook: true });
    // after Messenger (10) and WhatsApp (15), before SMS (30)
    expect(viber.reachRank).toBeGreaterThan(15);
    expect(viber.reachRank).toBeLessThan(30);
    expect(viber.addressIsPhone).toBeUndefined();
    expect(viber.fallbackRank).toBeUndefined();
    expect(viber.keepsSentIds).toBeUndefined();
  });

  it('is configured where a facility has a Viber block', () => {
    expect(FACILITIES.map((f) => viber.configured(f))).toEqual([true, false]);
  });

  it('receives signed callbacks on one POST route per facility, with a 256 KiB body limit and no handshake', () => {
    const { routes } = viber.create(ctx());
    expect(routes.map((r) => [r.method, r.path])).toEqual([['POST', '/webhooks/viber/:facilityId']]);
    const [post] = routes;
    expect(post!.maxBytes).toBe(256 * 1024);
    expect(post!.maxBytes).toBe(VIBER_BODY_LIMIT);
    expect(post!.ack).toBeUndefined();
    expect(post!.inbound!.channel).toBe('viber');
    const r = post!.inbound!.receive(viberRequest(fixture('message-text')), 'st-lukes');
    expect(r.ok && r.value.messages.map((m) => [m.facilityId, m.channelUserId, m.text])).toEqual([['st-lukes', USER, 'a message to the service']]);
    expect(post!.inbound!.receive(viberRequest(fixture('message-text')), 'no-viber')).toMatchObject({ ok: false, error: { kind: 'bad_signature' } });
  });

  it("answers conversation_started with the welcome it is given (ctx.text 'welcome.viber', in the user's language)", () => {
    const [post] = viber.create(ctx()).routes;
    const r = post!.inbound!.receive(viberRequest(fixture('conversation-started')), 'st-lukes');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.messages.map((m) => m.kind)).toEqual(['start']);
    expect(r.value.responseBody).toMatchObject({ type: 'text', text: 'st-lukes:welcome.viber:fil', sender: { name: "St Luke's" } });
  });

  it('sends through the API base it is given, with the facility token', async () => {
    const { sender } = viber.create(ctx());
    expect(sender.channel).toBe('viber');
    const out = await sender.send(msg('Hi'), contact({ subscribed: true, lastInboundAt: hoursAgo(1) }), now);
    expect(out).toMatchObject({ status: 'sent', attempts: 1 });
    expect(api.requests.map((r) => [r.path, r.headers['x-viber-auth-token']])).toEqual([['/pa/send_message', TOKEN]]);
  });

  it('spaces sends to rateLimits.viber (perSecond)', async () => {
    const { sender } = viber.create(ctx({ perSecond: 2 }));
    const c = contact({ subscribed: true, lastInboundAt: hoursAgo(1) });
    await Promise.all([sender.send(msg('one'), c, now), sender.send(msg('two'), c, now)]);
    expect(arrived).toHaveLength(2);
    // the limiter starts them 500 ms apart; the first pays for the connection, so they arrive a little closer (unspaced: a few ms)
    expect(arrived[1]! - arrived[0]!).toBeGreaterThanOrEqual(300);
  });

  it('reads status 6 (receiverNotSubscribed) as an opt-out, and nothing else', () => {
    expect(viber.optedOut!({ status: 'failed', reason: 'viber status 6 receiverNotSubscribed', code: '6', attempts: 1, retryable: false })).toBe(true);
    expect(viber.optedOut!({ status: 'failed', reason: 'viber status 12', code: '12', attempts: 1, retryable: true })).toBe(false);
    expect(viber.optedOut!({ status: 'undeliverable', reason: 'not_subscribed' })).toBe(false);
  });

  it('calls a message bot-initiated outside 24 hours of the last inbound message (for the broadcast dry-run)', () => {
    expect(viber.botInitiated).toBe(isBotInitiated);
    expect(viber.botInitiated!(contact({ subscribed: true, lastInboundAt: hoursAgo(1) }), now)).toBe(false);
    expect(viber.botInitiated!(contact({ subscribed: true, lastInboundAt: hoursAgo(25) }), now)).toBe(true);
    expect(viber.botInitiated!(contact({ subscribed: true }), now)).toBe(true);
  });
});

describe('what the module learns', () => {
  it('an address: a new one is not subscribed; a known one keeps its state', () => {
    expect(viber.learn(undefined, { kind: 'address', userId: USER })).toEqual({ userId: USER, subscribed: false });
    const kept = { userId: USER, subscribed: true, lastInboundAt: hoursAgo(2) };
    expect(viber.learn(kept, { kind: 'address', userId: USER })).toEqual(kept);
  });

  it('an inbound message: writing subscribes the user and opens the session', () => {
    const at = hoursAgo(1);
    expect(learnFrom(undefined, 'message', at)).toEqual({ userId: USER, subscribed: true, lastInboundAt: at });
    expect(learnFrom({ userId: USER, subscribed: false, lastInboundAt: hoursAgo(40) }, 'message', at)).toEqual({ userId: USER, subscribed: true, lastInboundAt: at });
  });

  it('a start (conversation_started) neither subscribes nor opens a session', () => {
    expect(learnFrom(undefined, 'start')).toEqual({ userId: USER, subscribed: false });
    const before = { userId: USER, subscribed: true, lastInboundAt: hoursAgo(30) };
    expect(learnFrom(before, 'start')).toEqual(before);
  });

  it('a subscribed event subscribes the user, and counts as the user acting', () => {
    const at = hoursAgo(1);
    expect(learnFrom(undefined, 'subscribed', at)).toEqual({ userId: USER, subscribed: true, lastInboundAt: at });
  });

  it('an unsubscribed event unsubscribes, and opens no session', () => {
    expect(learnFrom({ userId: USER, subscribed: true, lastInboundAt: hoursAgo(30) }, 'unsubscribed')).toEqual({ userId: USER, subscribed: false, lastInboundAt: hoursAgo(30) });
    expect(learnFrom(undefined, 'unsubscribed')).toEqual({ userId: USER, subscribed: false });
  });

  it.each<InboundKind>(['opt_out', 'opt_in', 'help'])('a %s (no Viber callback is parsed as one) is read like a message', (kind) => {
    const at = hoursAgo(1);
    expect(learnFrom({ userId: USER, subscribed: false }, kind, at)).toEqual({ userId: USER, subscribed: true, lastInboundAt: at });
  });

  it('an opted_out outcome (status 6): the same address, no longer subscribed; Viber keeps no opt-out flag', () => {
    const at = now.toISOString();
    expect(viber.learn({ userId: USER, subscribed: true, lastInboundAt: hoursAgo(1) }, { kind: 'opted_out', at })).toEqual({ userId: USER, subscribed: false, lastInboundAt: hoursAgo(1) });
    expect(viber.learn(undefined, { kind: 'opted_out', at })).toEqual({ userId: '', subscribed: false });
  });

  it('what it learns gates what it sends: unsubscribed → no pushes; a message back → subscribed again', () => {
    const { sender } = viber.create(ctx());
    const withState = (state: ChannelState): Contact => ({ ...contact(), channels: { viber: state } });
    const left = learnFrom(learnFrom(undefined, 'message', hoursAgo(3)), 'unsubscribed', hoursAgo(2));
    expect(sender.permission(msg('x', 'reminder'), withState(left), now)).toEqual({ ok: false, reason: 'not_subscribed' });
    const back = learnFrom(left, 'message', hoursAgo(1));
    expect(sender.permission(msg('x', 'reminder'), withState(back), now)).toEqual({ ok: true, mode: 'session' });
  });
});
