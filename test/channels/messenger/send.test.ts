import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMessengerSender } from '../../../channels/messenger/send.js';
import type { Contact } from '../../../src/core/domain.js';
import type { OutboundMessage, Reply, SendPurpose } from '../../../src/core/messages.js';
import { FACILITIES, PAGE_A, SECRET_1 } from './helpers.js';

/** A local stand-in for the Graph API: records every request and answers with the test's responder. */
interface Hit {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body: Record<string, unknown>;
}
type Answer = { status: number; body: unknown; headers?: Record<string, string> };
let hits: Hit[];
let respond: (hit: Hit, n: number) => Answer;
let server: Server;
let apiBase: string;

beforeEach(async () => {
  hits = [];
  respond = (_h, n) => ({ status: 200, body: { recipient_id: '7000000000000001', message_id: `m_OUT_${n}` } });
  const app = new Koa();
  app.use(async (ctx) => {
    const raw = await getRawBody(ctx.req, { encoding: 'utf8' });
    const hit: Hit = { method: ctx.method, path: ctx.path, query: Object.fromEntries(new URLSearchParams(ctx.querystring)), authorization: ctx.get('authorization'), body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
    hits.push(hit);
    const a = respond(hit, hits.length);
    ctx.status = a.status;
    ctx.set(a.headers ?? {});
    ctx.body = a.body;
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v25.0`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const now = new Date('2025-01-06T10:00:00.000Z');
const PSID = '7000000000000001';
const contact = (hoursAgo?: number): Contact => ({
  id: 'c1',
  facilityId: 'st-lukes',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  channels: { messenger: { userId: PSID, ...(hoursAgo !== undefined ? { lastInboundAt: new Date(now.getTime() - hoursAgo * 3600_000).toISOString() } : {}) } },
});
const msg = (reply: Reply, purpose: SendPurpose = 'response', facilityId = 'st-lukes'): OutboundMessage => ({ id: `o-${Math.random()}`, facilityId, channel: 'messenger', channelUserId: PSID, purpose, locale: 'en', reply });
const sender = (maxAttempts = 3) => createMessengerSender({ apiBase, facilities: FACILITIES, retry: { maxAttempts, initialDelayMs: 1 } });

describe('Messenger sender: request shapes', () => {
  it('posts quick replies to /{page-id}/messages with the page token (as a Bearer header, its appsecret_proof in the URL) and messaging_type RESPONSE', async () => {
    const out = await sender().send(msg({ text: 'Confirm?', choices: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] }), contact(1), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'm_OUT_1', attempts: 1 });
    expect(hits).toEqual([
      {
        method: 'POST',
        path: `/v25.0/${PAGE_A}/messages`,
        query: { appsecret_proof: createHmac('sha256', SECRET_1).update('token-a').digest('hex') },
        authorization: 'Bearer token-a',
        body: {
          recipient: { id: PSID },
          messaging_type: 'RESPONSE',
          message: {
            text: 'Confirm?',
            quick_replies: [
              { content_type: 'text', title: 'Yes', payload: 'yes' },
              { content_type: 'text', title: 'No', payload: 'no' },
            ],
          },
        },
      },
    ]);
  });

  it('posts a button template when a label is too long for a quick reply', async () => {
    await sender().send(msg({ text: 'Which doctor?', choices: [{ id: 'd1', label: 'Dr. Maria Santos (Cardiology)' }, { id: 'd2', label: 'Dr. Cruz' }] }), contact(1), now);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.body.message).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Which doctor?\n\n1. Dr. Maria Santos (Cardiology)\n2. Dr. Cruz',
          buttons: [
            { type: 'postback', title: '1. Dr. Maria Santos…', payload: 'd1' },
            { type: 'postback', title: '2. Dr. Cruz', payload: 'd2' },
          ],
        },
      },
    });
  });

  it('posts numbered text for more than 13 choices', async () => {
    const choices = Array.from({ length: 14 }, (_, i) => ({ id: `s${i + 1}`, label: `${8 + Math.floor(i / 2)}:${i % 2 ? '30' : '00'}` }));
    await sender().send(msg({ text: 'Pick a time', choices }), contact(1), now);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.body.message).toEqual({ text: ['Pick a time', '', ...choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n') });
  });

  it('sends a long text as several requests, in order', async () => {
    const text = `${'a'.repeat(1500)} ${'b'.repeat(1500)} ${'c'.repeat(10)}`;
    const out = await sender().send(msg({ text }), contact(1), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'm_OUT_2', attempts: 2 });
    expect(hits.map((h) => (h.body.message as { text: string }).text)).toEqual(['a'.repeat(1500), `${'b'.repeat(1500)} ${'c'.repeat(10)}`]);
  });

  it('sends a reminder inside the window as UPDATE', async () => {
    await sender().send(msg({ text: 'See you tomorrow at 9:00' }, 'reminder'), contact(23), now);
    expect(hits[0]!.body.messaging_type).toBe('UPDATE');
  });

  it('sends a reminder outside the window as the utility template, one request', async () => {
    const out = await sender().send(msg({ text: 'Reminder:\nDr. Cruz, Mon 6 Jan 9:00', choices: [{ id: 'confirm', label: 'Confirm' }] }, 'reminder'), contact(30), now);
    expect(out).toMatchObject({ status: 'sent', attempts: 1 });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe(`/v25.0/${PAGE_A}/messages`);
    expect(hits[0]!.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'appt_reminder_v1',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Reminder: Dr. Cruz, Mon 6 Jan 9:00' }] }],
        },
      },
    });
  });

  it('sends nothing outside the window when no template fits: undeliverable outside_window', async () => {
    const out = await sender().send(msg({ text: 'Hello again' }, 'response'), contact(30), now);
    expect(out).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    const annex = await sender().send(msg({ text: 'Reminder' }, 'reminder', 'st-lukes-annex'), contact(30), now);
    expect(annex).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(hits).toHaveLength(0);
  });

  it('never sends a message tag, whatever the purpose and window', async () => {
    const s = sender();
    for (const purpose of ['response', 'welcome', 'update', 'reminder', 'broadcast'] as const) {
      for (const hoursAgo of [undefined, 1, 23, 25, 24 * 30]) {
        for (const facilityId of ['st-lukes', 'st-lukes-annex']) {
          await s.send(msg({ text: 'Hi', choices: [{ id: 'a', label: 'A' }] }, purpose, facilityId), contact(hoursAgo), now);
        }
      }
    }
    expect(hits.length).toBeGreaterThan(10);
    for (const h of hits) {
      expect(h.body).not.toHaveProperty('tag');
      expect(h.body.messaging_type).not.toBe('MESSAGE_TAG');
      expect(JSON.stringify(h)).not.toMatch(/CONFIRMED_EVENT_UPDATE|POST_PURCHASE_UPDATE|ACCOUNT_UPDATE|HUMAN_AGENT/);
    }
  });
});

describe('Messenger sender: failures are values', () => {
  it('waits for Retry-After on a 429 and then succeeds (2 requests)', async () => {
    respond = (_h, n) => (n === 1 ? { status: 429, body: { error: { message: 'Too many', code: 613 } }, headers: { 'retry-after': '1' } } : { status: 200, body: { message_id: 'm_AFTER' } });
    const out = await sender().send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'm_AFTER', attempts: 2 });
    expect(hits).toHaveLength(2);
    expect(hits[1]!.body).toEqual(hits[0]!.body);
  });

  it('gives up on a 500 that never ends: failed, retryable, attempts counted', async () => {
    respond = () => ({ status: 500, body: { error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2 } } });
    const out = await sender(3).send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toMatchObject({ status: 'failed', code: '2', attempts: 3, retryable: true });
    expect(hits).toHaveLength(3);
  });

  it('reports the 24-hour window error (10/2018278) as failed, not retryable, after one request', async () => {
    respond = () => ({ status: 400, body: { error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278, fbtrace_id: 'AbC' } } });
    const out = await sender().send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toEqual({ status: 'failed', reason: 'outside_window', code: '10/2018278', attempts: 1, retryable: false });
    expect(hits).toHaveLength(1);
  });

  it('does not retry the window error even when Graph answers it with a 5xx', async () => {
    respond = () => ({ status: 500, body: { error: { code: 10, error_subcode: 2018278 } } });
    const out = await sender().send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toMatchObject({ status: 'failed', reason: 'outside_window', retryable: false, attempts: 1 });
  });

  it('reports 551 (person unavailable) as failed, not retryable', async () => {
    respond = () => ({ status: 400, body: { error: { message: "This person isn't available right now.", code: 551, error_subcode: 1545041 } } });
    const out = await sender().send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toEqual({ status: 'failed', reason: 'user_unavailable', code: '551/1545041', attempts: 1, retryable: false });
  });

  it('retries a Graph rate-limit code (613) even on a 400', async () => {
    respond = (_h, n) => (n === 1 ? { status: 400, body: { error: { code: 613 } } } : { status: 200, body: { message_id: 'm_OK' } });
    const out = await sender().send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toEqual({ status: 'sent', platformMessageId: 'm_OK', attempts: 2 });
  });

  it('stops at the first failing part of a split message', async () => {
    respond = (_h, n) => (n === 1 ? { status: 200, body: { message_id: 'm_1' } } : { status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } });
    const text = `${'a'.repeat(1500)} ${'b'.repeat(1500)} ${'c'.repeat(1500)}`;
    const out = await sender().send(msg({ text }), contact(1), now);
    expect(out).toMatchObject({ status: 'failed', code: '100', retryable: false, attempts: 2 });
    expect(hits).toHaveLength(2);
  });

  it('reports a Graph API that is down as a retryable failure, never a throw', async () => {
    const dead = createMessengerSender({ apiBase: 'http://127.0.0.1:9/v25.0', facilities: FACILITIES, retry: { maxAttempts: 2, initialDelayMs: 1 } });
    const out = await dead.send(msg({ text: 'Hi' }), contact(1), now);
    expect(out).toMatchObject({ status: 'failed', retryable: true, attempts: 2 });
  });
});

describe('Messenger sender: typing and permission', () => {
  it('posts typing_on / typing_off as sender actions alone', async () => {
    const s = sender();
    await s.typing('st-lukes', PSID, true);
    await s.typing('st-lukes', PSID, false);
    expect(hits.map((h) => h.body)).toEqual([
      { recipient: { id: PSID }, sender_action: 'typing_on' },
      { recipient: { id: PSID }, sender_action: 'typing_off' },
    ]);
  });

  it('shows typing only for a turn still running after the delay', async () => {
    const s = sender();
    const quick = s.typingWhileSlow('st-lukes', PSID, 60);
    quick(); // answered at once: no indicator
    const slow = s.typingWhileSlow('st-lukes', PSID, 60);
    await new Promise((r) => setTimeout(r, 150));
    slow();
    expect(hits.map((h) => h.body)).toEqual([{ recipient: { id: PSID }, sender_action: 'typing_on' }]);
  });

  it('typing never throws, even when Graph fails or the facility has no page', async () => {
    respond = () => ({ status: 500, body: {} });
    const s = sender();
    await expect(s.typing('st-lukes', PSID, true)).resolves.toBeUndefined();
    await expect(s.typing('sms-only', PSID, true)).resolves.toBeUndefined();
    expect(hits).toHaveLength(1);
  });

  it('exposes the window rules as permission()', () => {
    const s = sender();
    expect(s.permission(msg({ text: 'x' }, 'response'), contact(1), now)).toEqual({ ok: true, mode: 'session' });
    expect(s.permission(msg({ text: 'x' }, 'reminder'), contact(48), now)).toEqual({ ok: true, mode: 'utility' });
    expect(s.permission(msg({ text: 'x' }, 'response'), contact(48), now)).toEqual({ ok: false, reason: 'outside_window' });
    expect(s.permission(msg({ text: 'x' }, 'response', 'sms-only'), contact(1), now)).toEqual({ ok: false, reason: 'no_channel' });
  });
});
