import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whatsapp, WHATSAPP_BODY_LIMIT } from '../../../channels/whatsapp/index.js';
import type { ChannelContext, ChannelRoute } from '../../../src/core/channel.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import type { FacilityConfig } from '../../../src/config/schema.js';
import { fakeWhatsApp, type FakeWhatsApp } from './fake-whatsapp.js';
import { FACILITIES, NOW, NUMBER_A, USER, contact, hoursAgo, message, signed } from './helpers.js';

let api: FakeWhatsApp;
beforeEach(async () => {
  api = await fakeWhatsApp();
});
afterEach(async () => {
  await api.close();
});

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const ctx = (extra: Partial<ChannelContext<FacilityConfig>> = {}): ChannelContext<FacilityConfig> => ({
  facilities: FACILITIES.filter(whatsapp.configured),
  apiBase: api.url,
  perSecond: 80,
  publicUrl: 'https://bot.example.org',
  logger: quiet,
  text: (_f, key) => key,
  ...extra,
});
const route = (routes: ChannelRoute[], method: 'GET' | 'POST') => routes.find((r) => r.method === method)!;
const inboundMsg = (channelUserId = USER): InboundMessage => ({ id: 'wamid.1', facilityId: 'st-lukes', channel: 'whatsapp', channelUserId, sentAt: hoursAgo(1), kind: 'message', text: 'hi' });

describe('the WhatsApp channel module', () => {
  it('names itself, its API base key, its one path, and its place in the reach order', () => {
    expect(whatsapp).toMatchObject({ name: 'whatsapp', apiKey: 'whatsapp', routePaths: ['/webhooks/whatsapp'], addressIsPhone: true, reachRank: 15 });
    // between Messenger (10) and Viber (20)
    expect(whatsapp.reachRank).toBeGreaterThan(10);
    expect(whatsapp.reachRank).toBeLessThan(20);
  });

  it('is configured where a facility has a WhatsApp block', () => {
    expect(FACILITIES.map((f) => whatsapp.configured(f))).toEqual([true, true, true, false]);
  });

  it("serves the handshake on GET with every facility's verify token", () => {
    const { routes } = whatsapp.create(ctx());
    const get = route(routes, 'GET');
    expect(get.path).toBe('/webhooks/whatsapp');
    expect(get.handshake!({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-b', 'hub.challenge': '42' })).toEqual({ ok: true, challenge: '42' });
    expect(get.handshake!({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '42' })).toEqual({ ok: false, status: 403 });
  });

  it('receives signed deliveries on POST, with a 3 MiB body limit (Meta: payloads up to 3MB)', () => {
    const post = route(whatsapp.create(ctx()).routes, 'POST');
    expect(post.path).toBe('/webhooks/whatsapp');
    expect(post.maxBytes).toBe(3 * 1024 * 1024);
    expect(post.maxBytes).toBe(WHATSAPP_BODY_LIMIT);
    expect(post.inbound!.channel).toBe('whatsapp');
    const r = post.inbound!.receive(signed('text.json'));
    expect(r.ok && r.value.messages.map((m) => [m.facilityId, m.channelUserId, m.text])).toEqual([['st-lukes', USER, 'Does it come in another color?']]);
  });

  it('sends through the API base it is given, as the facility', async () => {
    const { sender } = whatsapp.create(ctx());
    expect(sender.channel).toBe('whatsapp');
    expect(await sender.send(message({ text: 'Hi' }), contact({ lastInboundAt: hoursAgo(1) }), NOW)).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.1', attempts: 1 });
    expect(api.hits.map((h) => [h.path, h.headers.authorization])).toEqual([[`/v25.0/${NUMBER_A}/messages`, 'Bearer EAAG-token-a']]);
  });

  it('spaces sends to rateLimits.whatsapp (perSecond)', async () => {
    const { sender } = whatsapp.create(ctx({ perSecond: 2 }));
    const c = contact({ lastInboundAt: hoursAgo(1) });
    await Promise.all([sender.send(message({ text: 'one' }), c, NOW), sender.send(message({ text: 'two' }), c, NOW)]);
    expect(api.hits).toHaveLength(2);
    expect(api.hits[1]!.at - api.hits[0]!.at).toBeGreaterThanOrEqual(450);
  });
});

describe('what the module learns', () => {
  it('an address: a new one starts clean, the same one keeps its state', () => {
    expect(whatsapp.learn(undefined, { kind: 'address', userId: USER })).toEqual({ userId: USER });
    const kept = { userId: USER, lastInboundAt: hoursAgo(2), optedOut: true };
    expect(whatsapp.learn(kept, { kind: 'address', userId: USER })).toEqual(kept);
    expect(whatsapp.learn(kept, { kind: 'address', userId: '+639170000000' })).toEqual({ userId: '+639170000000' });
  });

  it('an inbound message: the address, when it came (the window opens), and that the person may be written to again', () => {
    const at = hoursAgo(1);
    expect(whatsapp.learn(undefined, { kind: 'inbound', message: inboundMsg(), at })).toEqual({ userId: USER, lastInboundAt: at, optedOut: false });
    expect(whatsapp.learn({ userId: USER, lastInboundAt: hoursAgo(40), optedOut: true }, { kind: 'inbound', message: inboundMsg(), at })).toEqual({ userId: USER, lastInboundAt: at, optedOut: false });
  });

  it('never moves the window back for a message delivered late', () => {
    const later = hoursAgo(1);
    expect(whatsapp.learn({ userId: USER, lastInboundAt: later }, { kind: 'inbound', message: inboundMsg(), at: hoursAgo(5) })).toMatchObject({ lastInboundAt: later });
  });

  it("does not carry another address's window to a new one", () => {
    const at = hoursAgo(30);
    expect(whatsapp.learn({ userId: '+639170000000', lastInboundAt: hoursAgo(1) }, { kind: 'inbound', message: inboundMsg(), at })).toEqual({ userId: USER, lastInboundAt: at, optedOut: false });
  });

  it('an opt-out: the same address, opted out', () => {
    expect(whatsapp.learn({ userId: USER, lastInboundAt: hoursAgo(1) }, { kind: 'opted_out', at: NOW.toISOString() })).toEqual({ userId: USER, lastInboundAt: hoursAgo(1), optedOut: true });
  });

  it('reads 131050 as an opt-out, and nothing else', () => {
    expect(whatsapp.optedOut!({ status: 'failed', reason: 'opted_out', code: '131050', attempts: 1, retryable: false })).toBe(true);
    expect(whatsapp.optedOut!({ status: 'failed', reason: 'HTTP 400', code: '131049', attempts: 1, retryable: false })).toBe(false);
  });

  it('what it learns gates what it sends: opted out → nothing; a message back → the window is open', () => {
    const { sender } = whatsapp.create(ctx());
    const out = whatsapp.learn({ userId: USER }, { kind: 'opted_out', at: NOW.toISOString() });
    const c = { ...contact(), channels: { whatsapp: out } };
    expect(sender.permission(message({ text: 'x' }, 'reminder'), c, NOW)).toEqual({ ok: false, reason: 'opted_out' });
    const back = whatsapp.learn(out, { kind: 'inbound', message: inboundMsg(), at: hoursAgo(0.5) });
    expect(sender.permission(message({ text: 'x' }), { ...c, channels: { whatsapp: back } }, NOW)).toEqual({ ok: true, mode: 'session' });
  });
});
