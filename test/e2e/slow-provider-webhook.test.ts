/**
 * Issue 10, "honest answers when the hospital is slow", on the whole service: frontdesk on Messenger, the
 * sandbox provider on its own port behind a misbehaving HTTP hop (answers lost, then down), and the
 * sandbox's webhooks to frontdesk through a hop that can deliver them late.
 *  - a booking whose answer is lost while the provider stays down: the chat says it is checking, never
 *    "nothing changed"; the provider's own webhook (source: bot) is then announced to the patient, since
 *    the chat could not say it; the patient's next message checks again with the same key and tells the
 *    same booking; one booking in all.
 *  - a booking whose answer is lost once: told in the same turn, and its late webhook adds no notice.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, Reply } from '../../src/core/messages.js';
import { createLogger } from '../../src/log.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { unsettledWrites } from '../../src/store/unsettled.js';
import { eventually, FACILITY, messengerText, PAGE_ID, postMessenger, SECRETS, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';
import { faultyProxy, type Fault, type FaultyProxy } from '../flows/slow-provider.js';

const auth = `Basic ${Buffer.from('st-lukes:st-lukes-key').toString('base64')}`;

let platforms: Platforms;
let sandbox: Sandbox;
let sandboxServer: Server;
let provider: FaultyProxy;
let hooks: FaultyProxy;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
/** what the provider hop does with the next request */
let providerFault: (method: string, url: string) => Fault = () => 'pass';
let holdWebhooks = false;

beforeAll(async () => {
  platforms = await startPlatforms();
  sandbox = createSandbox({ facilities: [{ id: FACILITY, timezone: 'Asia/Manila', userId: 'st-lukes', apiKey: 'st-lukes-key' }], logger: createLogger({ level: 'silent' }), webhookRetry: { initialDelayMs: 200 } });
  const app = new Koa();
  app.use(sandbox.middleware());
  sandboxServer = createServer(app.callback());
  await new Promise<void>((r) => sandboxServer.listen(0, '127.0.0.1', () => r()));
  provider = await faultyProxy(`http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`, (r) => providerFault(r.method, r.url));
  const config = testConfig({
    platformsUrl: platforms.url,
    sandbox: false,
    providerBaseUrl: `${provider.url}/sandbox/${FACILITY}/api/v1`,
    extra: { dev: false },
    facility: {
      provider: { baseUrl: `${provider.url}/sandbox/${FACILITY}/api/v1`, userId: 'st-lukes', apiKey: 'st-lukes-key', webhookSecret: SECRETS.webhookSecret, timeoutMs: 1000 },
      // Messenger only: no SMS, so no phone check by code in the booking
      channels: { messenger: { pageId: PAGE_ID, pageAccessToken: SECRETS.pageToken, appSecret: SECRETS.appSecret, verifyToken: SECRETS.verifyToken } },
    },
  });
  fd = await startFrontdesk(config);
  hooks = await faultyProxy(fd.base, () => (holdWebhooks ? 'hold' : 'pass'));
  sandbox.setWebhookTarget(FACILITY, `${hooks.url}/webhooks/provider/${FACILITY}`, SECRETS.webhookSecret);
}, 60_000);

afterAll(async () => {
  await fd?.close();
  await hooks?.close();
  await provider?.close();
  await sandbox?.stop();
  sandboxServer?.closeAllConnections();
  await new Promise<void>((r) => sandboxServer?.close(() => r()));
  await platforms?.close();
});

interface TurnRecord {
  key: string;
  outbound: OutboundMessage[];
}

/** one Messenger message (a quick reply when `payload` is given); resolves with the replies of its turn */
async function say(psid: string, text: string, payload?: string): Promise<Reply[]> {
  const body = messengerText(psid, text, payload ? { quickReply: payload } : {});
  const mid = body.entry[0]!.messaging[0]!.message.mid;
  expect((await postMessenger(fd.base, body)).status).toBe(200);
  const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), 'contact');
  const turn = await eventually(async () => {
    const t = await fd.store.backend.kv.get<TurnRecord>(`engine:turn:${FACILITY}:${contact.id}`);
    return t?.key === `messenger:${mid}` ? t : undefined;
  }, `turn of ${mid}`, 1200);
  return turn.outbound.map((o) => o.reply);
}

const textOf = (replies: Reply[]) => replies.map((r) => r.text);
const choiceOf = (replies: Reply[], prefix: string) => {
  const c = replies.flatMap((r) => r.choices ?? []).find((x) => x.id.startsWith(prefix) && !['date:more', 'slot:more', 'slot:otherDate', 'slot:change'].includes(x.id));
  if (!c) throw new Error(`no ${prefix} choice in ${JSON.stringify(replies)}`);
  return c;
};
const tap = (psid: string, c: { id: string; label: string }) => say(psid, c.label, c.id);

/** a new patient on Messenger up to "Shall I book this for you?" for the laboratory's first open time */
async function upToReview(psid: string, name: string, phone: string): Promise<void> {
  await say(psid, 'hi');
  expect(textOf(await say(psid, 'Book an appointment', 'menu:book')).join('\n')).toMatch(/Do you agree\?/);
  expect(textOf(await say(psid, 'I agree', 'ans:yes')).join('\n')).toMatch(/full name/);
  expect(textOf(await say(psid, name)).join('\n')).toMatch(/date of birth/);
  expect(textOf(await say(psid, '15/05/1990')).join('\n')).toMatch(/mobile number/);
  expect(textOf(await say(psid, phone)).join('\n')).toMatch(/gender/);
  const calendars = await say(psid, 'Female', 'gender:female');
  const dates = await tap(psid, choiceOf(calendars, 'cal:201'));
  const times = await tap(psid, choiceOf(dates, 'date:'));
  const review = await tap(psid, choiceOf(times, 'slot:'));
  expect(textOf(review).join('\n')).toMatch(/Shall I book this for you\?/);
}

const heldFor = async (name: string) => {
  const res = await fetch(`http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}/sandbox/${FACILITY}/staff/appointments`, { headers: { authorization: auth } });
  return ((await res.json()) as { appointments: { appointmentId: string; status: string; source?: string; patient: { name: string } }[] }).appointments.filter((a) => a.patient.name === name);
};
const postsOf = (from: number) => provider.requests.slice(from).filter((r) => r.method === 'POST' && r.url.endsWith('/appointments'));
const NOTHING_CHANGED = /nothing (has been|was) (booked or )?changed/i;

describe('a booking whose answer is lost, on the whole service', () => {
  it('provider stays down: "checking", the bot-sourced webhook is announced, the next message tells the same booking; one booking', { timeout: 90_000 }, async () => {
    const psid = '7100000000000101';
    const name = 'Lorna Quijano';
    await upToReview(psid, name, '0917 555 0142');
    const from = provider.requests.length;
    holdWebhooks = true;
    let lost = false;
    providerFault = (method) => {
      if (!lost && method === 'POST') {
        lost = true;
        return 'lose';
      }
      return lost ? 'down' : 'pass';
    };
    const answer = textOf(await say(psid, 'Yes, book it', 'ans:yes'));
    expect(answer[0]).toBe("The hospital's system didn't answer in time, so I'm checking whether your booking went through. One moment, please.");
    expect(answer[1]).toMatch(/^I still can't reach the hospital's system to confirm your booking with Laboratory on .+\. It may have gone through, so please don't book it again/);
    expect(answer.filter((t) => NOTHING_CHANGED.test(t))).toEqual([]);
    // the lost POST did book, as the provider's bot-made booking
    const held = await heldFor(name);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ status: 'SCHEDULED', source: 'bot' });
    expect(await unsettledWrites(fd.store.backend, FACILITY)).toEqual([expect.objectContaining({ op: 'create', start: expect.any(String) })]);

    // the provider's webhook for it comes now: the chat could not say it happened, so it is announced
    await eventually(() => hooks.heldCount() > 0, 'the appointmentCreated delivery held');
    holdWebhooks = false;
    hooks.release();
    const created = await eventually(() => sandbox.deliveries(FACILITY).find((d) => d.type === 'appointmentCreated' && d.status === 'delivered'), 'delivered');
    const notice = await eventually(() => fd.outbox.record(`pwh:${FACILITY}:${created.id}`), 'the booking notice in the outbox');
    const contact = (await fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid))!;
    expect(notice).toMatchObject({ channel: 'messenger', contactId: contact.id, appointmentId: held[0]!.appointmentId, purpose: 'update' });
    await eventually(() => platforms.graph().some((r) => r.json.recipient?.id === psid && /booked|confirmed/i.test(JSON.stringify(r.json.message ?? {})) && JSON.stringify(r.json.message ?? {}).includes(held[0]!.appointmentId)), 'the notice sent on Messenger');

    // the provider is still down: the next message checks, finds it in our mirror (the webhook put it there) and tells it
    const postsBefore = postsOf(from).length;
    const next = textOf(await say(psid, 'hello?'));
    expect(postsOf(from).length).toBe(postsBefore);
    expect(next[0]).toMatch(new RegExp(`^You're booked! Laboratory on .+\\. Your reference number is ${held[0]!.appointmentId}\\.`));
    expect(next.filter((t) => NOTHING_CHANGED.test(t))).toEqual([]);
    expect(await heldFor(name)).toHaveLength(1);
    expect(new Set(postsOf(from).map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(await unsettledWrites(fd.store.backend, FACILITY)).toEqual([]);
    expect((await fd.store.appointments.byContact(FACILITY, contact.id)).map((a) => a.appointmentId)).toEqual([held[0]!.appointmentId]);
  });

  it('answer lost once: told in the same turn; its webhook, delivered after, adds no second notice', { timeout: 60_000 }, async () => {
    const psid = '7100000000000102';
    const name = 'Tess Dimaculangan';
    providerFault = () => 'pass';
    await upToReview(psid, name, '0917 555 0143');
    const from = provider.requests.length;
    holdWebhooks = true;
    let lost = false;
    providerFault = (method) => {
      if (!lost && method === 'POST') {
        lost = true;
        return 'lose';
      }
      return 'pass';
    };
    const answer = textOf(await say(psid, 'Yes, book it', 'ans:yes'));
    const held = await heldFor(name);
    expect(held).toHaveLength(1);
    expect(answer[0]).toMatch(/checking whether your booking went through/);
    expect(answer[1]).toMatch(new RegExp(`^You're booked! Laboratory on .+\\. Your reference number is ${held[0]!.appointmentId}\\.`));
    expect(postsOf(from).map((r) => r.fault)).toEqual(['lose', 'pass']);
    expect(new Set(postsOf(from).map((r) => r.headers['idempotency-key'])).size).toBe(1);

    const before = sandbox.deliveries(FACILITY).filter((d) => d.type === 'appointmentCreated').length;
    await eventually(() => hooks.heldCount() > 0, 'the delivery held');
    holdWebhooks = false;
    hooks.release();
    const created = await eventually(() => {
      const list = sandbox.deliveries(FACILITY).filter((d) => d.type === 'appointmentCreated');
      return list.length >= before && list.at(-1)!.status === 'delivered' ? list.at(-1) : undefined;
    }, 'delivered');
    await new Promise((r) => setTimeout(r, 300));
    expect(await fd.outbox.record(`pwh:${FACILITY}:${created.id}`)).toBeUndefined();
    expect(await unsettledWrites(fd.store.backend, FACILITY)).toEqual([]);
  });
});
