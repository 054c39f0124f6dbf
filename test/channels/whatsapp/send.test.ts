import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whatsappOptedOut } from '../../../channels/whatsapp/learn.js';
import { createWhatsAppSender, type WhatsAppSenderOptions } from '../../../channels/whatsapp/send.js';
import type { SendOutcome } from '../../../src/core/messages.js';
import { accepted, fakeWhatsApp, graphError, type FakeWhatsApp } from './fake-whatsapp.js';
import { FACILITIES, NOW, NUMBER_A, NUMBER_B, USER, WA_ID, contact, hoursAgo, message } from './helpers.js';

let api: FakeWhatsApp;
beforeEach(async () => {
  api = await fakeWhatsApp();
});
afterEach(async () => {
  await api.close();
});

const sender = (extra: Partial<WhatsAppSenderOptions> = {}) => createWhatsAppSender({ apiBase: api.url, facilities: FACILITIES, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5_000 }, ...extra });
const open = () => contact({ lastInboundAt: hoursAgo(1) });
const closed = () => contact({ lastInboundAt: hoursAgo(30) });
const hi = () => message({ text: 'Hi' });

describe('WhatsApp sender: request shapes', () => {
  it('posts reply buttons to /{phone-number-id}/messages with the access token as a Bearer header, never in the URL', async () => {
    const out = await sender().send(message({ text: 'Confirm your appointment?', choices: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] }), open(), NOW);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.1', attempts: 1 });
    expect(api.hits).toHaveLength(1);
    const [hit] = api.hits;
    expect(hit!.method).toBe('POST');
    expect(hit!.path).toBe(`/v25.0/${NUMBER_A}/messages`);
    expect(hit!.query).toEqual({});
    expect(hit!.headers.authorization).toBe('Bearer EAAG-token-a');
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA_ID,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirm your appointment?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      },
    });
  });

  it("uses each facility's own number and token", async () => {
    await sender().send(message({ text: 'Hi' }, 'response', 'st-lukes-annex'), open(), NOW);
    expect(api.hits[0]!.path).toBe(`/v25.0/${NUMBER_B}/messages`);
    expect(api.hits[0]!.headers.authorization).toBe('Bearer EAAG-token-b');
  });

  it('posts a plain text message', async () => {
    await sender().send(hi(), open(), NOW);
    expect(api.hits[0]!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: WA_ID, type: 'text', text: { body: 'Hi' } });
  });

  it("labels a list's button in the message's language", async () => {
    const choices = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, label: `${9 + i}:00` }));
    await sender().send({ ...message({ text: 'Anong oras?', choices }), locale: 'fil' }, open(), NOW);
    expect(api.hits[0]!.body.interactive).toMatchObject({ type: 'list', action: { button: 'Pumili' } });
    await sender({ listButtonLabel: () => 'Times' }).send(message({ text: 'When?', choices }), open(), NOW);
    expect(api.hits[1]!.body.interactive.action.button).toBe('Times');
  });

  it('sends a long text as several requests, in order, recording the last wamid', async () => {
    const text = `${'a'.repeat(3000)} ${'b'.repeat(3000)}`;
    const out = await sender().send(message({ text }), open(), NOW);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.2', attempts: 2 });
    expect(api.hits.map((h) => h.body.text.body)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
  });

  it('addresses a user known only by a business-scoped user id with `recipient`', async () => {
    const bsuid = 'US.13491208655302741918';
    await sender().send(message({ text: 'Hi' }, 'response', 'st-lukes', bsuid), contact({ userId: bsuid, lastInboundAt: hoursAgo(1) }), NOW);
    expect(api.hits[0]!.body).toMatchObject({ recipient: bsuid, type: 'text' });
    expect(api.hits[0]!.body).not.toHaveProperty('to');
  });

  it('sends a reminder outside the window as the utility template, its text on one line, one request', async () => {
    const out = await sender().send(message({ text: 'Reminder:\nDr. Cruz, Mon 6 Jan\t9:00', choices: [{ id: 'confirm', label: 'Confirm' }] }, 'reminder'), closed(), NOW);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.1', attempts: 1 });
    expect(api.hits).toHaveLength(1);
    expect(api.hits[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA_ID,
      type: 'template',
      template: { name: 'appointment_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Reminder: Dr. Cruz, Mon 6 Jan 9:00' }] }] },
    });
  });

  it('sends a reminder inside the window free-form, not as a template', async () => {
    await sender().send(message({ text: 'See you tomorrow', choices: [{ id: 'confirm', label: 'Confirm' }] }, 'reminder'), open(), NOW);
    expect(api.hits[0]!.body.type).toBe('interactive');
  });

  it('sends nothing when the rules forbid it: outside the window without a template, or opted out', async () => {
    expect(await sender().send(hi(), closed(), NOW)).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(await sender().send(message({ text: 'Reminder' }, 'reminder', 'st-lukes-annex'), closed(), NOW)).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(await sender().send(message({ text: 'Reminder' }, 'reminder'), contact({ lastInboundAt: hoursAgo(1), optedOut: true }), NOW)).toEqual({ status: 'undeliverable', reason: 'opted_out' });
    expect(await sender().send(message({ text: 'Hi' }, 'response', 'sms-only'), open(), NOW)).toEqual({ status: 'undeliverable', reason: 'no_channel' });
    expect(api.hits).toHaveLength(0);
  });

  it('exposes the rules as permission()', () => {
    const s = sender();
    expect(s.permission(hi(), open(), NOW)).toEqual({ ok: true, mode: 'session' });
    expect(s.permission(message({ text: 'x' }, 'update'), closed(), NOW)).toEqual({ ok: true, mode: 'utility' });
    expect(s.permission(hi(), closed(), NOW)).toEqual({ ok: false, reason: 'outside_window' });
    expect(s.permission(message({ text: 'x' }, 'response', 'sms-only'), open(), NOW)).toEqual({ ok: false, reason: 'no_channel' });
  });
});

describe('WhatsApp sender: failures are values', () => {
  it('reports 131047 (outside the window, by Meta’s clock) as undeliverable outside_window, after one request', async () => {
    api.answer(() => graphError(400, 131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(api.hits).toHaveLength(1);
  });

  it('reports 131026 (not a WhatsApp user, old client) as undeliverable, after one request', async () => {
    api.answer(() => graphError(400, 131026, 'Message Undeliverable'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'undeliverable', reason: 'no_channel' });
    expect(api.hits).toHaveLength(1);
  });

  it('reports 131050 as failed, not retryable, code 131050, which the module reads as an opt-out', async () => {
    api.answer(() => graphError(400, 131050, 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.'));
    const out = await sender().send(message({ text: 'Reminder' }, 'reminder'), closed(), NOW);
    expect(out).toEqual({ status: 'failed', reason: 'opted_out', code: '131050', attempts: 1, retryable: false });
    expect(whatsappOptedOut(out)).toBe(true);
    expect(api.hits).toHaveLength(1);
  });

  it('does not read any other failure as an opt-out', () => {
    const others: SendOutcome[] = [
      { status: 'failed', reason: 'HTTP 400', code: '100', attempts: 1, retryable: false },
      { status: 'failed', reason: 'rate_limited', code: '130429', attempts: 3, retryable: true },
      { status: 'undeliverable', reason: 'outside_window' },
      { status: 'sent', attempts: 1, platformMessageId: 'wamid.1' },
    ];
    expect(others.map(whatsappOptedOut)).toEqual([false, false, false, false]);
  });

  it('retries 130429 (throughput) after the Retry-After it was given, then succeeds', async () => {
    api.answer((_h, n) => (n === 1 ? graphError(429, 130429, 'Rate limit hit', 'Cloud API message throughput has been reached.', { 'retry-after': '1' }) : accepted(n)));
    const out = await sender().send(hi(), open(), NOW);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.2', attempts: 2 });
    expect(api.hits).toHaveLength(2);
    expect(api.hits[1]!.body).toEqual(api.hits[0]!.body);
    // the backoff alone is 1 ms here: only Retry-After explains a second's wait
    expect(api.hits[1]!.at - api.hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries 131056 (pair rate limit) even on a 400', async () => {
    api.answer((_h, n) => (n === 1 ? graphError(400, 131056, '(Business Account, Consumer Account) pair rate limit hit') : accepted(n)));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.2', attempts: 2 });
  });

  it('reports throughput that never clears as a retryable rate_limited failure, attempts counted', async () => {
    api.answer(() => graphError(400, 130429, 'Rate limit hit'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'failed', reason: 'rate_limited', code: '130429', attempts: 3, retryable: true });
    expect(api.hits).toHaveLength(3);
  });

  it('retries a 5xx and succeeds', async () => {
    api.answer((_h, n) => (n < 3 ? { status: 503, body: { error: { message: 'Service temporarily unavailable', code: 131016 } } } : accepted(n)));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'sent', platformMessageId: 'wamid.OUT.3', attempts: 3 });
  });

  it('gives up on a 5xx that never ends: failed, retryable, attempts counted', async () => {
    api.answer(() => ({ status: 500, body: { error: { message: 'Something went wrong', code: 131000 } } }));
    const out = await sender().send(hi(), open(), NOW);
    expect(out).toMatchObject({ status: 'failed', code: '131000', attempts: 3, retryable: true });
    expect(api.hits).toHaveLength(3);
  });

  it('never retries 131047 even when Graph answers it with a 5xx', async () => {
    api.answer(() => graphError(500, 131047, 'Re-engagement message'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(api.hits).toHaveLength(1);
  });

  it('times out a request that does not answer, retries it, and reports a retryable failure', async () => {
    api.answer(() => ({ ...accepted(1), delayMs: 1_000 }));
    const out = await sender({ timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 1 } }).send(hi(), open(), NOW);
    expect(out).toMatchObject({ status: 'failed', retryable: true, attempts: 2 });
    expect(out.status === 'failed' && out.reason).toMatch(/time/i);
    expect(api.hits).toHaveLength(2);
  });

  it('reports an expired token (190) as a non-retryable auth failure after one request', async () => {
    api.answer(() => graphError(401, 190, 'Error validating access token: Session has expired'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'failed', reason: 'auth', code: '190', attempts: 1, retryable: false });
    expect(api.hits).toHaveLength(1);
  });

  it('reports a bare 401 as a non-retryable auth failure', async () => {
    api.answer(() => ({ status: 401, body: {} }));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'failed', reason: 'auth', attempts: 1, retryable: false });
  });

  it('reports an invalid parameter (100) as failed, not retryable, with its code', async () => {
    api.answer(() => graphError(400, 100, 'Invalid parameter'));
    expect(await sender().send(hi(), open(), NOW)).toEqual({ status: 'failed', reason: 'HTTP 400', code: '100', attempts: 1, retryable: false });
  });

  it('stops at the first failing part of a split message', async () => {
    api.answer((_h, n) => (n === 1 ? accepted(1) : graphError(400, 100, 'Invalid parameter')));
    const out = await sender().send(message({ text: `${'a'.repeat(3000)} ${'b'.repeat(3000)} ${'c'.repeat(3000)}` }), open(), NOW);
    expect(out).toMatchObject({ status: 'failed', code: '100', retryable: false, attempts: 2 });
    expect(api.hits).toHaveLength(2);
  });

  it('reports a Graph API that is down as a retryable failure, never a throw', async () => {
    const dead = createWhatsAppSender({ apiBase: 'http://127.0.0.1:9/v25.0', facilities: FACILITIES, retry: { maxAttempts: 2, initialDelayMs: 1 } });
    expect(await dead.send(hi(), open(), NOW)).toMatchObject({ status: 'failed', retryable: true, attempts: 2 });
  });

  it('puts every attempt, retries included, through the rate limiter', async () => {
    let scheduled = 0;
    const limiter = {
      schedule<T>(fn: () => Promise<T>): Promise<T> {
        scheduled += 1;
        return fn();
      },
    };
    api.answer((_h, n) => (n === 1 ? { status: 503, body: {} } : accepted(n)));
    expect(await sender({ limiter }).send(hi(), open(), NOW)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(scheduled).toBe(2);
  });
});

describe('WhatsApp sender: mark as read', () => {
  it('marks a message read, with the typing indicator when asked', async () => {
    const s = sender();
    await s.markRead('st-lukes', 'wamid.IN.1');
    await s.markRead('st-lukes', 'wamid.IN.2', true);
    expect(api.hits.map((h) => [h.path, h.headers.authorization, h.body])).toEqual([
      [`/v25.0/${NUMBER_A}/messages`, 'Bearer EAAG-token-a', { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN.1' }],
      [`/v25.0/${NUMBER_A}/messages`, 'Bearer EAAG-token-a', { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN.2', typing_indicator: { type: 'text' } }],
    ]);
  });

  it('never throws and never retries, even when Graph fails or the facility has no number', async () => {
    api.answer(() => ({ status: 500, body: {} }));
    const s = sender();
    await expect(s.markRead('st-lukes', 'wamid.IN.1', true)).resolves.toBeUndefined();
    await expect(s.markRead('sms-only', 'wamid.IN.1')).resolves.toBeUndefined();
    expect(api.hits).toHaveLength(1);
  });
});

describe('WhatsApp sender: addresses', () => {
  it('sends to the digits of our +E.164 address', async () => {
    await sender().send(message({ text: 'Hi' }, 'response', 'st-lukes', USER), open(), NOW);
    expect(api.hits[0]!.body.to).toBe(WA_ID);
  });
});
