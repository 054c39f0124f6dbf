/**
 * Several instances of one deployment: the store on Redis (or Postgres), jobs on BullMQ, locks in Redis.
 * A platform redelivering to another instance, a conversation continued on another instance, and a
 * desk booking's notice each happen once.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually, messengerText, postMessenger, SECRETS, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const REDIS = 'redis://127.0.0.1:6379';
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

describe.each([
  ['Redis store', REDIS],
  ['Postgres store', POSTGRES],
])('two instances, %s, BullMQ jobs', (_name, storeUrl) => {
  let platforms: Platforms;
  let sandbox: Sandbox;
  let server: Server;
  let a: Awaited<ReturnType<typeof startFrontdesk>>;
  let b: Awaited<ReturnType<typeof startFrontdesk>>;

  beforeAll(async () => {
    platforms = await startPlatforms();
    sandbox = createSandbox({ facilities: [{ id: 'st-lukes', timezone: 'Asia/Manila', userId: 'st-lukes', apiKey: 'st-lukes-key' }] });
    server = sandbox.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const { port } = server.address() as { port: number };
    const namespace = `dep${randomUUID().slice(0, 8)}`;
    const config = testConfig({ platformsUrl: platforms.url, store: storeUrl, sandbox: false, providerBaseUrl: `http://127.0.0.1:${port}/sandbox/st-lukes/api/v1`, extra: { redis: REDIS } });
    a = await startFrontdesk(config, { namespace });
    b = await startFrontdesk(config, { namespace });
    sandbox.setWebhookTarget('st-lukes', `${a.base}/webhooks/provider/st-lukes`, SECRETS.webhookSecret);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.stop();
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
    await platforms?.close();
  });

  const repliesTo = (psid: string) => platforms.graph().filter((r) => r.json.recipient?.id === psid && r.json.message);

  it('runs its jobs on BullMQ', () => {
    expect(a.queue.kind).toBe('bullmq');
    expect(a.store.backend.kind).toBe(storeUrl.startsWith('redis') ? 'redis' : 'postgres');
  });

  it('a redelivery that lands on the other instance is not processed twice; the conversation goes on across instances', async () => {
    const psid = `dep-${randomUUID().slice(0, 6)}`;
    const first = messengerText(psid, 'hi');
    expect((await postMessenger(a.base, first)).status).toBe(200);
    await eventually(() => repliesTo(psid).some((r) => /What would you like to do/.test(JSON.stringify(r.json))), 'the greeting via BullMQ');
    const count = repliesTo(psid).length;
    expect((await postMessenger(b.base, first)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesTo(psid)).toHaveLength(count);
    // the next step, sent to the other instance, continues the same conversation
    expect((await postMessenger(b.base, messengerText(psid, 'book', { quickReply: 'menu:book' }))).status).toBe(200);
    await eventually(() => repliesTo(psid).some((r) => /privacy/i.test(JSON.stringify(r.json))), 'the consent question from instance B');
    const contacts = (await a.store.contacts.list('st-lukes')).filter((c) => c.channels?.messenger?.userId === psid);
    expect(contacts).toHaveLength(1);
  });

  it('a desk booking reaches the patient once, whichever instance runs the job', async () => {
    const phone = `+63917${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/sandbox/st-lukes`;
    const headers = { authorization: `Basic ${Buffer.from('st-lukes:st-lukes-key').toString('base64')}`, 'content-type': 'application/json' };
    const month = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 7);
    const { slots } = (await (await fetch(`${base}/api/v1/availability?month=${month}&calendar_id=101&appointment_type_id=1001`, { headers })).json()) as { slots: { start: string }[] };
    const body = { calendarId: '101', appointmentTypeId: '1001', start: slots.at(-1)!.start, patient: { name: 'Desk Patient', phone }, source: 'staff' };
    expect((await fetch(`${base}/staff/appointments`, { method: 'POST', headers, body: JSON.stringify(body) })).status).toBe(201);
    await eventually(() => platforms.twilio().some((r) => r.form.To === phone), 'the desk booking notice by SMS');
    await new Promise((r) => setTimeout(r, 500));
    expect(platforms.twilio().filter((r) => r.form.To === phone)).toHaveLength(1);
    const contact = await b.store.contacts.byVerifiedPhone('st-lukes', phone);
    expect(contact?.channels?.sms?.userId).toBe(phone);
  });
});
