import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/core/messages.js';
import { createDevSender } from '../../src/dev/index.js';
import { DEV_FACILITY, startDevApp, type DevApp } from './support/dev-app.js';

let app: DevApp;
beforeAll(async () => {
  app = await startDevApp();
});
afterAll(async () => {
  await app?.close();
});

const post = (body: unknown) =>
  fetch(`${app.baseUrl}/dev/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('dev chat API', () => {
  it('answers a message with the rendered replies', async () => {
    const res = await post({ facilityId: DEV_FACILITY, channel: 'messenger', userId: 'api-user-1', text: 'hi' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replies: { text: string; choices?: { id: string; label: string }[] }[] };
    expect(body.replies.length).toBeGreaterThan(0);
    expect(body.replies.at(-1)!.choices?.map((c) => c.id)).toContain('menu:book');
  });

  it('refuses bodies it cannot use, with a JSON error', async () => {
    const notJson = await post('{oops');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'bad_request' });
    const noText = await post({ facilityId: DEV_FACILITY, userId: 'api-user-2' });
    expect(noText.status).toBe(400);
    const unknown = await post({ facilityId: 'nope', userId: 'api-user-2', text: 'hi' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'unknown_facility' });
  });

  it('lists what the outbox pushed to a dev user, after a sequence number', async () => {
    const sender = createDevSender(app.mailbox);
    const msg: OutboundMessage = {
      id: 'reminder:appt-1:P1D',
      facilityId: DEV_FACILITY,
      channel: 'dev',
      channelUserId: 'api-user-3',
      purpose: 'reminder',
      locale: 'en',
      reply: { text: 'Reminder: your appointment is tomorrow.', choices: [{ id: 'rem:confirm:appt-1', label: 'Confirm' }] },
    };
    expect(await sender.send(msg, undefined, new Date())).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await sender.send(msg, undefined, new Date())).toMatchObject({ status: 'sent' }); // a retried send is stored once
    const url = (after: number) => `${app.baseUrl}/dev/api/messages?facilityId=${DEV_FACILITY}&userId=api-user-3&after=${after}`;
    const first = (await (await fetch(url(0))).json()) as { messages: { id: string; purpose: string; reply: { text: string } }[]; last: number };
    expect(first.messages).toHaveLength(1);
    expect(first.messages[0]).toMatchObject({ id: msg.id, purpose: 'reminder', reply: msg.reply });
    const again = (await (await fetch(url(first.last))).json()) as { messages: unknown[] };
    expect(again.messages).toEqual([]);
  });

  it('proxies the sandbox staff desk with the facility credentials', async () => {
    const res = await fetch(`${app.baseUrl}/dev/api/staff/${DEV_FACILITY}/appointments`);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('appointments');
    const unknown = await fetch(`${app.baseUrl}/dev/api/staff/nope/appointments`);
    expect(unknown.status).toBe(404);
  });

  it('serves the chat page', async () => {
    const res = await fetch(`${app.baseUrl}/dev`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('id="composer"');
  });
});
