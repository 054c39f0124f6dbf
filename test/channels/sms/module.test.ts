import { afterEach, describe, expect, it } from 'vitest';
import { sms, SMS_BODY_LIMIT } from '../../../channels/sms/module.js';
import { SMS_INBOUND_PATH, SMS_STATUS_PATH } from '../../../channels/sms/inbound.js';
import type { ChannelContext, ChannelRoute } from '../../../src/core/channel.js';
import type { ChannelState, Contact } from '../../../src/core/domain.js';
import type { InboundKind, InboundMessage, OutboundMessage } from '../../../src/core/messages.js';
import type { FacilityConfig } from '../../../src/config/schema.js';
import { fakeTwilio, type Answer } from './fake-twilio.js';
import { ACCOUNT_SID, facility, json, params, PUBLIC_BASE, twilioRequest } from './helpers.js';

const PHONE = '+639171234567';
const now = new Date('2025-03-03T10:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();
const noSms = facility('no-sms');
noSms.channels.sms = undefined;
const FACILITIES = [facility('st-lukes'), noSms];

const created = (sid: string): Answer => ({ status: 201, body: { ...(json('message-created') as object), sid } });
let servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
/** a fake Twilio that also notes when each request arrived */
async function twilioApi() {
  const at: number[] = [];
  const api = await fakeTwilio((_r, n) => {
    at.push(Date.now());
    return created(`SM000${n}`);
  });
  servers.push(api);
  return { ...api, at };
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const ctx = (apiBase: string, extra: Partial<ChannelContext<FacilityConfig>> = {}): ChannelContext<FacilityConfig> => ({
  facilities: FACILITIES.filter(sms.configured),
  apiBase,
  perSecond: 100,
  publicUrl: 'https://bot.example.org/',
  logger: quiet,
  text: (_f, key) => key,
  ...extra,
});
const route = (routes: ChannelRoute[], path: string) => routes.find((r) => r.method === 'POST' && r.path === path)!;
const contact = (state?: Partial<ChannelState>): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  ...(state ? { channels: { sms: { userId: PHONE, ...state } } } : {}),
});
const msg = (text: string, purpose: OutboundMessage['purpose'] = 'reminder'): OutboundMessage => ({ id: `out-${text}`, facilityId: 'st-lukes', channel: 'sms', channelUserId: PHONE, purpose, locale: 'en', reply: { text } });
const inbound = (kind: InboundKind, text = 'hi'): InboundMessage => ({ id: 'SM1', facilityId: 'st-lukes', channel: 'sms', channelUserId: PHONE, phone: PHONE, sentAt: hoursAgo(1), kind, text });

describe('the SMS channel module', () => {
  it("names itself, Twilio's API base key, its two paths, its place in the reach order and its flags", () => {
    expect(sms).toMatchObject({ name: 'sms', apiKey: 'twilio', routePaths: ['/webhooks/sms', '/webhooks/sms/status'], reachRank: 30, fallbackRank: 1, addressIsPhone: true });
    // the last channel a notice tries, the first it falls back to
    expect(sms.reachRank).toBeGreaterThan(20);
    expect(sms.keepsSentIds).toBeUndefined();
    expect(sms.greetsInWebhook).toBeUndefined();
    expect(sms.botInitiated).toBeUndefined();
  });

  it('is configured where a facility has an SMS block', () => {
    expect(FACILITIES.map((f) => sms.configured(f))).toEqual([true, false]);
  });

  it('receives signed incoming messages and status callbacks on two POST routes, 64 KiB each, answered with an empty TwiML', () => {
    const { routes } = sms.create(ctx('http://127.0.0.1:9'));
    expect(routes.map((r) => [r.method, r.path, r.label])).toEqual([
      ['POST', SMS_INBOUND_PATH, undefined],
      ['POST', SMS_STATUS_PATH, 'sms-status'],
    ]);
    const twiml = { type: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' };
    for (const r of routes) {
      expect(r.maxBytes).toBe(64 * 1024);
      expect(r.maxBytes).toBe(SMS_BODY_LIMIT);
      expect(r.ack).toEqual(twiml);
      expect(r.inbound!.channel).toBe('sms');
    }
    const incoming = route(routes, SMS_INBOUND_PATH).inbound!.receive(twilioRequest(params('incoming-sms'), { publicUrl: `${PUBLIC_BASE}${SMS_INBOUND_PATH}` }));
    expect(incoming.ok && incoming.value.messages.map((m) => [m.facilityId, m.channelUserId, m.kind, m.text])).toEqual([['st-lukes', PHONE, 'message', 'Hello']]);
    const status = route(routes, SMS_STATUS_PATH).inbound!.receive(twilioRequest(params('status-delivered'), { publicUrl: `${PUBLIC_BASE}${SMS_STATUS_PATH}` }));
    expect(status.ok && status.value.receipts?.map((r) => r.status)).toEqual(['delivered']);
  });

  it('sends through the API base it is given, asking for status callbacks at publicUrl + /webhooks/sms/status', async () => {
    const api = await twilioApi();
    const { sender } = sms.create(ctx(api.url));
    expect(sender.channel).toBe('sms');
    expect(await sender.send(msg('Hi'), contact({ optedOut: false }), now)).toEqual({ status: 'sent', platformMessageId: 'SM0001', attempts: 1 });
    expect(api.requests.map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`]);
    expect(new URLSearchParams(api.requests[0]!.body).get('StatusCallback')).toBe('https://bot.example.org/webhooks/sms/status');
  });

  it('asks for no status callback when there is no publicUrl', async () => {
    const api = await twilioApi();
    const { sender } = sms.create(ctx(api.url, { publicUrl: undefined }));
    expect((await sender.send(msg('Hi'), contact({ optedOut: false }), now)).status).toBe('sent');
    expect(new URLSearchParams(api.requests[0]!.body).has('StatusCallback')).toBe(false);
  });

  it('spaces sends to rateLimits.sms (perSecond)', async () => {
    const api = await twilioApi();
    const { sender } = sms.create(ctx(api.url, { perSecond: 2 }));
    const c = contact({ optedOut: false });
    await Promise.all([sender.send(msg('one'), c, now), sender.send(msg('two'), c, now)]);
    expect(api.at).toHaveLength(2);
    // the limiter starts them 500 ms apart; the first pays for the connection, so they arrive a little closer (unspaced: a few ms)
    expect(api.at[1]! - api.at[0]!).toBeGreaterThanOrEqual(300);
  });
});

describe('what the module learns', () => {
  it('an address: a new one has not opted out; a known one keeps its opt-out and when it wrote', () => {
    expect(sms.learn(undefined, { kind: 'address', userId: PHONE })).toEqual({ userId: PHONE, optedOut: false });
    const kept = { userId: PHONE, optedOut: true, lastInboundAt: hoursAgo(2) };
    expect(sms.learn(kept, { kind: 'address', userId: PHONE })).toEqual(kept);
  });

  it('an inbound message: the address and when it came; it does not undo an opt-out', () => {
    const at = hoursAgo(1);
    expect(sms.learn(undefined, { kind: 'inbound', message: inbound('message'), at })).toEqual({ userId: PHONE, optedOut: false, lastInboundAt: at });
    expect(sms.learn({ userId: PHONE, optedOut: true }, { kind: 'inbound', message: inbound('message'), at })).toEqual({ userId: PHONE, optedOut: true, lastInboundAt: at });
  });

  it('an opt_out (STOP & co.) opts the address out', () => {
    const at = hoursAgo(1);
    expect(sms.learn(undefined, { kind: 'inbound', message: inbound('opt_out', 'STOP'), at })).toEqual({ userId: PHONE, optedOut: true, lastInboundAt: at });
    expect(sms.learn({ userId: PHONE, optedOut: false }, { kind: 'inbound', message: inbound('opt_out', 'STOP'), at })).toEqual({ userId: PHONE, optedOut: true, lastInboundAt: at });
  });

  it('an opt_in (START & co.) opts it back in', () => {
    const at = hoursAgo(1);
    expect(sms.learn({ userId: PHONE, optedOut: true }, { kind: 'inbound', message: inbound('opt_in', 'START'), at })).toEqual({ userId: PHONE, optedOut: false, lastInboundAt: at });
  });

  it.each<InboundKind>(['help', 'start', 'subscribed', 'unsubscribed'])('a %s changes no opt-out either way, and notes when it came', (kind) => {
    const at = hoursAgo(1);
    for (const optedOut of [true, false]) {
      expect(sms.learn({ userId: PHONE, optedOut }, { kind: 'inbound', message: inbound(kind), at })).toEqual({ userId: PHONE, optedOut, lastInboundAt: at });
    }
    expect(sms.learn(undefined, { kind: 'inbound', message: inbound(kind), at })).toEqual({ userId: PHONE, optedOut: false, lastInboundAt: at });
  });

  it('an opted_out outcome (Twilio 21610): the same address, opted out', () => {
    const at = now.toISOString();
    expect(sms.learn({ userId: PHONE, optedOut: false, lastInboundAt: hoursAgo(3) }, { kind: 'opted_out', at })).toEqual({ userId: PHONE, optedOut: true, lastInboundAt: hoursAgo(3) });
    expect(sms.learn(undefined, { kind: 'opted_out', at })).toEqual({ userId: '', optedOut: true });
  });

  it('reads 21610 as an opt-out, and nothing else', () => {
    expect(sms.optedOut!({ status: 'failed', reason: 'recipient unsubscribed (21610)', code: '21610', attempts: 1, retryable: false })).toBe(true);
    expect(sms.optedOut!({ status: 'failed', reason: 'HTTP 400', code: '21211', attempts: 1, retryable: false })).toBe(false);
    expect(sms.optedOut!({ status: 'undeliverable', reason: 'opted_out' })).toBe(false);
    expect(sms.optedOut!({ status: 'sent', platformMessageId: 'SM1', attempts: 1 })).toBe(false);
  });

  it('what it learns gates what it sends: STOP → nothing (HELP changes nothing); START → texts again', () => {
    const { sender } = sms.create(ctx('http://127.0.0.1:9'));
    const withState = (state: ChannelState): Contact => ({ ...contact(), channels: { sms: state } });
    const stopped = sms.learn(sms.learn(undefined, { kind: 'address', userId: PHONE }), { kind: 'inbound', message: inbound('opt_out', 'STOP'), at: hoursAgo(2) });
    expect(sender.permission(msg('x'), withState(stopped), now)).toEqual({ ok: false, reason: 'opted_out' });
    const help = sms.learn(stopped, { kind: 'inbound', message: inbound('help', 'HELP'), at: hoursAgo(1.5) });
    expect(sender.permission(msg('x'), withState(help), now)).toEqual({ ok: false, reason: 'opted_out' });
    const started = sms.learn(help, { kind: 'inbound', message: inbound('opt_in', 'START'), at: hoursAgo(1) });
    expect(sender.permission(msg('x'), withState(started), now)).toEqual({ ok: true, mode: 'standard' });
  });
});
