import { afterEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../../src/core/domain.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { createSmsSender, renderSmsReply } from '../../../channels/sms/index.js';
import { fakeTwilio, type Answer } from './fake-twilio.js';
import { ACCOUNT_SID, AUTH_TOKEN, facility, json, OUR_NUMBER } from './helpers.js';

const now = new Date('2025-03-03T10:00:00Z');
const contact = (optedOut: boolean): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  channels: { sms: { userId: '+639171234567', optedOut } },
});
const msg = (reply: OutboundMessage['reply']): OutboundMessage => ({
  id: 'out-1',
  facilityId: 'st-lukes',
  channel: 'sms',
  channelUserId: '+639171234567',
  purpose: 'reminder',
  locale: 'en',
  reply,
});
const created = (sid: string): Answer => ({ status: 201, body: { ...(json('message-created') as object), sid } });
const retry = { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 };
const STATUS_CALLBACK = 'https://bot.example.org/webhooks/sms/status';

let servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function twilioApi(answer: Parameters<typeof fakeTwilio>[0]) {
  const s = await fakeTwilio(answer);
  servers.push(s);
  return s;
}

describe('createSmsSender', () => {
  it('POSTs a form to Messages.json with Basic auth, To, From, Body and StatusCallback', async () => {
    const api = await twilioApi(() => created('SM0001'));
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility()], statusCallbackUrl: STATUS_CALLBACK, retry });
    const reply = { text: 'Your appointment is tomorrow.', choices: [{ id: 'c:ok', label: 'Confirm' }, { id: 'c:r', label: 'Reschedule' }] };
    const out = await sender.send(msg(reply), contact(false), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'SM0001', attempts: 1 });
    const [req] = api.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({
      To: '+639171234567',
      From: OUR_NUMBER,
      Body: 'Your appointment is tomorrow.\n\n1) Confirm\n2) Reschedule',
      StatusCallback: STATUS_CALLBACK,
    });
  });

  it('sends one request per rendered part, in order', async () => {
    const api = await twilioApi((_, n) => created(`SM000${n}`));
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility()], retry });
    const reply = { text: Array.from({ length: 150 }, (_, i) => `word${i}`).join(' ') };
    const parts = renderSmsReply(reply).parts;
    expect(parts.length).toBeGreaterThan(1);
    const out = await sender.send(msg(reply), contact(false), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'SM0001', attempts: parts.length });
    expect(api.requests.map((r) => new URLSearchParams(r.body).get('Body'))).toEqual(parts.map((p) => p.body));
    expect(api.requests.every((r) => !new URLSearchParams(r.body).has('StatusCallback'))).toBe(true);
  });

  it('21610 (recipient unsubscribed) → failed, not retryable, code 21610, no retry', async () => {
    const api = await twilioApi(() => ({ status: 400, body: json('error-21610') }));
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), contact(false), now);
    expect(out).toEqual({ status: 'failed', reason: 'recipient unsubscribed (21610)', code: '21610', attempts: 1, retryable: false });
    expect(api.requests).toHaveLength(1);
  });

  it('429 with Retry-After, then success', async () => {
    const api = await twilioApi((_, n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '0' }, body: { code: 20429, message: 'Too Many Requests', status: 429 } } : created('SM0042'),
    );
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility()], retry });
    expect(await sender.send(msg({ text: 'hi' }), contact(false), now)).toEqual({ status: 'sent', platformMessageId: 'SM0042', attempts: 2 });
    expect(api.requests).toHaveLength(2);
  });

  it('500 forever → failed with every attempt counted, retryable, no throw', async () => {
    const api = await twilioApi(() => ({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } }));
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility()], retry });
    const out = await sender.send(msg({ text: 'hi' }), contact(false), now);
    expect(out).toMatchObject({ status: 'failed', attempts: 3, retryable: true, code: '20500' });
    expect(api.requests).toHaveLength(3);
  });

  it('opted-out contacts and facilities without SMS are never sent to', async () => {
    const api = await twilioApi(() => created('SM1'));
    const noSms = facility('other');
    noSms.channels.sms = undefined;
    const sender = createSmsSender({ apiBase: api.url, facilities: [facility(), noSms], retry });
    expect(sender.permission(msg({ text: 'hi' }), contact(true), now)).toEqual({ ok: false, reason: 'opted_out' });
    expect(sender.permission(msg({ text: 'hi' }), contact(false), now)).toEqual({ ok: true, mode: 'standard' });
    expect(await sender.send(msg({ text: 'hi' }), contact(true), now)).toEqual({ status: 'undeliverable', reason: 'opted_out' });
    expect(await sender.send({ ...msg({ text: 'hi' }), facilityId: 'other' }, contact(false), now)).toEqual({ status: 'undeliverable', reason: 'no_channel' });
    expect(api.requests).toHaveLength(0);
  });
});
