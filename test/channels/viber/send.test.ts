import { afterEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../../src/core/domain.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { createViberSender, viberStats } from '../../../channels/viber/index.js';
import { VIBER_UNANSWERED_CAP } from '../../../channels/viber/rules.js';
import { viberTokenKey } from '../../../channels/viber/parse.js';
import { fakeViber, type Answer } from './fake-viber.js';
import { facility, TOKEN } from './helpers.js';

const now = new Date('2025-03-03T10:00:00Z');
const subscriber: Contact = {
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  channels: { viber: { userId: '01234567890A=', subscribed: true, lastInboundAt: new Date(now.getTime() - 3600_000).toISOString() } },
};
const msg = (reply: OutboundMessage['reply'], purpose: OutboundMessage['purpose'] = 'response'): OutboundMessage => ({
  id: 'out-1',
  facilityId: 'st-lukes',
  channel: 'viber',
  channelUserId: '01234567890A=',
  purpose,
  locale: 'en',
  reply,
});
/** the answer as Viber writes it: message_token is a 64-bit integer literal in the JSON text */
const okAnswer = (token: number | string): Answer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: `{"status":0,"status_message":"ok","message_token":${token},"chat_hostname":"SN-CHAT-05_","billing_status":1}`,
});
const retry = { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 };

let servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function viber(answer: Parameters<typeof fakeViber>[0]) {
  const s = await fakeViber(answer);
  servers.push(s);
  return s;
}

describe('createViberSender', () => {
  it('POSTs send_message with the auth token, receiver, sender and keyboard', async () => {
    const api = await viber(() => okAnswer('5741311803571721087'));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const before = viberStats();
    const out = await sender.send(msg({ text: 'Pick one', choices: [{ id: 'c:book', label: 'Book' }] }), subscriber, now);
    expect(out).toEqual({ status: 'sent', platformMessageId: viberTokenKey('5741311803571721087'), attempts: 1 });
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/pa/send_message');
    expect(req?.headers['x-viber-auth-token']).toBe(TOKEN);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual({
      receiver: '01234567890A=',
      type: 'text',
      text: 'Pick one',
      sender: { name: "St Luke's" },
      min_api_version: 1,
      keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: [{ Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fd:c:book', Text: 'Book', TextSize: 'regular' }] },
    });
    expect(viberStats().session - before.session).toBe(1);
    expect(viberStats().botInitiated - before.botInitiated).toBe(0);
  });

  it('a long reply is several send_message calls; the keyboard rides on the last', async () => {
    const api = await viber((_, n) => okAnswer(1000 + n));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const text = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(' ');
    const out = await sender.send(msg({ text, choices: [{ id: 'c:x', label: 'X' }] }), subscriber, now);
    expect(out).toMatchObject({ status: 'sent', platformMessageId: '1001' });
    expect(api.requests.length).toBe(2);
    const bodies = api.requests.map((r) => JSON.parse(r.body) as { text: string; keyboard?: unknown });
    expect(bodies[0]?.keyboard).toBeUndefined();
    expect(bodies[1]?.keyboard).toBeDefined();
    for (const b of bodies) expect(b.text.length).toBeLessThanOrEqual(7000);
  });

  it('bot-initiated sends are counted apart from session sends', async () => {
    const api = await viber(() => okAnswer(1));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const old: Contact = { ...subscriber, channels: { viber: { userId: '01234567890A=', subscribed: true, lastInboundAt: '2025-01-01T00:00:00Z' } } };
    const before = viberStats();
    expect(sender.permission(msg({ text: 'reminder' }, 'reminder'), old, now)).toEqual({ ok: true, mode: 'standard' });
    await sender.send(msg({ text: 'reminder' }, 'reminder'), old, now);
    expect(viberStats().botInitiated - before.botInitiated).toBe(1);
  });

  it('status 6 (receiver not subscribed) → failed, not retryable, code 6', async () => {
    const api = await viber(() => ({ status: 200, body: { status: 6, status_message: 'notSubscribed', chat_hostname: 'SN-CHAT-05_' } }));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), subscriber, now);
    expect(out).toEqual({ status: 'failed', reason: 'viber status 6 receiverNotSubscribed', code: '6', attempts: 1, retryable: false });
  });

  it('status 12 (too many requests) → failed, retryable, code 12', async () => {
    const api = await viber(() => ({ status: 200, body: { status: 12, status_message: 'Too many requests', message_token: 1234567890, chat_hostname: 'SN-CHAT-0x_' } }));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), subscriber, now);
    expect(out).toMatchObject({ status: 'failed', code: '12', retryable: true });
  });

  it('HTTP 429 with Retry-After, then success', async () => {
    const api = await viber((_, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '0' }, body: {} } : okAnswer(77)));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), subscriber, now);
    expect(out).toEqual({ status: 'sent', platformMessageId: '77', attempts: 2 });
    expect(api.requests).toHaveLength(2);
  });

  it('HTTP 500 forever → failed after every attempt, retryable, no throw', async () => {
    const api = await viber(() => ({ status: 500, body: 'boom' }));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), subscriber, now);
    expect(out).toMatchObject({ status: 'failed', attempts: 3, retryable: true });
    expect(api.requests).toHaveLength(3);
  });

  it('an unreachable API is a failed outcome, not an exception', async () => {
    const api = await viber(() => okAnswer(1));
    await api.close();
    servers = [];
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), subscriber, now);
    expect(out).toMatchObject({ status: 'failed', retryable: true, attempts: 3 });
  });

  it('never calls Viber for a user who is not subscribed, nor for a facility without Viber', async () => {
    const api = await viber(() => okAnswer(1));
    const noViber = facility('other');
    noViber.channels.viber = undefined;
    const sender = createViberSender({ apiBase: api.url, facilities: [facility(), noViber], retry });
    const unsubscribed: Contact = { ...subscriber, channels: { viber: { userId: '01234567890A=', subscribed: false } } };
    expect(await sender.send(msg({ text: 'hi' }, 'reminder'), unsubscribed, now)).toEqual({ status: 'undeliverable', reason: 'not_subscribed' });
    expect(await sender.send({ ...msg({ text: 'hi' }), facilityId: 'other' }, subscriber, now)).toEqual({ status: 'undeliverable', reason: 'no_channel' });
    expect(api.requests).toHaveLength(0);
  });

  it('stops at 100 unanswered messages, and starts again once the user writes', async () => {
    const api = await viber((_, n) => okAnswer(n));
    const sender = createViberSender({ apiBase: api.url, facilities: [facility()], retry });
    for (let i = 0; i < VIBER_UNANSWERED_CAP; i += 1) expect((await sender.send(msg({ text: `m${i}` }), subscriber, now)).status).toBe('sent');
    expect(await sender.send(msg({ text: 'one more' }), subscriber, now)).toEqual({ status: 'undeliverable', reason: 'rate_capped' });
    expect(api.requests).toHaveLength(VIBER_UNANSWERED_CAP);
    const wroteAgain: Contact = { ...subscriber, channels: { viber: { ...subscriber.channels!.viber!, lastInboundAt: now.toISOString() } } };
    expect((await sender.send(msg({ text: 'answer' }), wroteAgain, now)).status).toBe('sent');
  });
});
