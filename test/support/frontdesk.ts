/**
 * The whole service for end-to-end tests: frontdesk on an ephemeral port, the sandbox provider mounted
 * in it (or standalone), and one local server standing in for the messaging platforms' send APIs.
 * Payloads are signed here with the platforms' own schemes (node crypto / the twilio package /
 * standardwebhooks), never with our verification code.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import twilio from 'twilio';
import { createFrontdesk, type Frontdesk } from '../../src/app.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { captureServer, json, type Captured } from './http-server.js';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Reply } from '../../src/core/messages.js';

import { FACILITY, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM, testFacility, WA_NUMBER_ID, whatsappChannel } from './fixtures.js';

export { FACILITY, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM, WA_NUMBER_ID, whatsappChannel };
/** where the Send API is called: the page token goes in `Authorization: Bearer`, the URL carries only its appsecret_proof */
export const GRAPH_MESSAGES_URL = `/graph/${PAGE_ID}/messages?appsecret_proof=${createHmac('sha256', SECRETS.appSecret).update(SECRETS.pageToken).digest('hex')}`;

export type PlatformResponder = (req: Captured, n: number, res: ServerResponse) => boolean | void;

/** The messaging platforms' send APIs, as one local server: /graph, /viber, /twilio. */
export async function startPlatforms() {
  let override: PlatformResponder | undefined;
  let n = 0;
  const srv = await captureServer((req, count, res) => {
    if (override?.(req, count, res)) return;
    n += 1;
    if (req.url.startsWith('/graph/')) return json(res, 200, { recipient_id: 'r', message_id: `m_${n}` });
    if (req.url.startsWith('/viber/')) return json(res, 200, { status: 0, status_message: 'ok', message_token: 5000000000 + n });
    if (req.url.startsWith('/twilio/')) return json(res, 201, { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued' });
    if (req.url.startsWith('/whatsapp/')) return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.test${n}` }] });
    return json(res, 404, { error: 'unknown platform path' });
  });
  const of = (prefix: string) => srv.requests.filter((r) => r.url.startsWith(prefix));
  return {
    url: srv.url,
    requests: srv.requests,
    graph: () => of('/graph/').filter((r) => r.url.includes('/messages')).map((r) => ({ ...r, json: JSON.parse(r.body) as Record<string, any> })),
    viber: () => of('/viber/send_message').map((r) => ({ ...r, json: JSON.parse(r.body) as Record<string, any> })),
    twilio: () => of('/twilio/').map((r) => ({ ...r, form: Object.fromEntries(new URLSearchParams(r.body)) })),
    whatsapp: () => of('/whatsapp/').filter((r) => r.url.endsWith('/messages')).map((r) => ({ ...r, json: JSON.parse(r.body) as Record<string, any> })),
    /** answer some requests differently (return true when handled) */
    respond(fn: PlatformResponder | undefined) {
      override = fn;
    },
    close: srv.close,
  };
}
export type Platforms = Awaited<ReturnType<typeof startPlatforms>>;

export function testConfig(opts: { platformsUrl: string; store?: string; providerBaseUrl?: string; sandbox?: boolean; facility?: Record<string, unknown>; extra?: Partial<ConfigInput> }): Config {
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-'));
  const raw = {
    port: 0,
    host: '127.0.0.1',
    publicUrl: PUBLIC_URL,
    store: opts.store ?? `sqlite:${join(dir, 'frontdesk.sqlite')}`,
    staffTokens: [SECRETS.staffToken],
    dev: true,
    sandbox: opts.sandbox ?? true,
    logLevel: 'silent',
    rateLimits: { messenger: 500, viber: 500, sms: 500, whatsapp: 500 },
    platformApis: { messenger: `${opts.platformsUrl}/graph`, viber: `${opts.platformsUrl}/viber`, twilio: `${opts.platformsUrl}/twilio`, whatsapp: `${opts.platformsUrl}/whatsapp` },
    facilities: [{ ...testFacility(opts.providerBaseUrl), ...opts.facility }],
    ...opts.extra,
  };
  const r = validateConfig(raw, {});
  if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.error)}`);
  return r.value;
}

export async function startFrontdesk(config: Config, opts: { now?: () => Date; namespace?: string } = {}): Promise<Frontdesk & { base: string }> {
  const fd = await createFrontdesk({ config, logger: createLogger({ level: 'silent' }), pollMs: 20, ...opts });
  const base = await fd.listen(0, '127.0.0.1');
  return Object.assign(fd, { base });
}

// ---- signing, the platforms' way ----

export const messengerSignature = (body: string, secret: string = SECRETS.appSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
export const viberSignature = (body: string, token: string = SECRETS.viberToken) => createHmac('sha256', token).update(body).digest('hex');
export const twilioSignature = (url: string, params: Record<string, string>, token: string = SECRETS.twilioToken) => twilio.getExpectedTwilioSignature(token, url, params);

export async function postMessenger(base: string, body: unknown, signature?: string) {
  const text = JSON.stringify(body);
  return fetch(`${base}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? messengerSignature(text) }, body: text });
}

export async function postViber(base: string, body: unknown, signature?: string, facilityId = FACILITY) {
  const text = JSON.stringify(body);
  return fetch(`${base}/webhooks/viber/${facilityId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-viber-content-signature': signature ?? viberSignature(text) }, body: text });
}

/** Twilio signs the URL it called — the public one, not ours behind the proxy. */
export const whatsappSignature = (body: string, secret: string = SECRETS.whatsappAppSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export async function postWhatsApp(base: string, body: unknown, signature?: string) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${base}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? whatsappSignature(raw) }, body: raw });
}

/** a Cloud API `messages` webhook from `waId` (digits, no +): text, or a tapped reply button / list row */
export function whatsappMessage(waId: string, content: { text: string } | { button: { id: string; title: string } } | { row: { id: string; title: string } }, id = `wamid.${randomUUID().replace(/-/g, '')}`) {
  const at = String(Math.floor(Date.now() / 1000));
  const message =
    'text' in content
      ? { from: waId, id, timestamp: at, type: 'text', text: { body: content.text } }
      : 'button' in content
        ? { from: waId, id, timestamp: at, type: 'interactive', interactive: { type: 'button_reply', button_reply: content.button } }
        : { from: waId, id, timestamp: at, type: 'interactive', interactive: { type: 'list_reply', list_reply: content.row } };
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WA_NUMBER_ID }, contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: waId }], messages: [message] } }] }],
  };
}

/** One message through the dev chat's API (a Messenger-styled patient at the test facility unless told): that turn's replies. */
export async function devSay(base: string, userId: string, input: { text?: string; choiceId?: string }, o: { facilityId?: string; channel?: string } = {}): Promise<Reply[]> {
  const body = { facilityId: o.facilityId ?? FACILITY, channel: o.channel ?? 'messenger', userId, ...input };
  const res = await fetch(`${base}/dev/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: Reply[] }).replies;
}

export async function postSms(base: string, params: Record<string, string>, path = '/webhooks/sms', signature?: string) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? twilioSignature(`${PUBLIC_URL}${path}`, params) },
    body: new URLSearchParams(params).toString(),
  });
}

export async function postProvider(base: string, body: unknown, opts: { id?: string; at?: Date; secret?: string; facilityId?: string; rawBody?: string } = {}) {
  const text = opts.rawBody ?? JSON.stringify(body);
  const id = opts.id ?? `msg_${randomUUID()}`;
  const at = opts.at ?? new Date();
  const signature = new Webhook(opts.secret ?? SECRETS.webhookSecret).sign(id, at, text);
  return fetch(`${base}/webhooks/provider/${opts.facilityId ?? FACILITY}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
    body: text,
  });
}

// ---- platform payloads, shaped as each platform documents them ----

let seq = 0;
export const messengerText = (psid: string, text: string, opts: { mid?: string; quickReply?: string; pageId?: string; time?: number } = {}) => ({
  object: 'page',
  entry: [
    {
      id: opts.pageId ?? PAGE_ID,
      time: opts.time ?? Date.now(),
      messaging: [
        {
          sender: { id: psid },
          recipient: { id: opts.pageId ?? PAGE_ID },
          timestamp: opts.time ?? Date.now(),
          message: { mid: opts.mid ?? `m_${Date.now()}_${(seq += 1)}`, text, ...(opts.quickReply ? { quick_reply: { payload: opts.quickReply } } : {}) },
        },
      ],
    },
  ],
});

export const viberText = (userId: string, text: string, token = 5_000_000_000_000 + (seq += 1)) => ({
  event: 'message',
  timestamp: Date.now(),
  chat_hostname: 'SN-CHAT-01_',
  message_token: token,
  sender: { id: userId, name: 'Viber User', avatar: 'https://example.org/a.jpg', language: 'en', country: 'PH', api_version: 10 },
  message: { type: 'text', text },
  silent: false,
});

export const smsParams = (from: string, body: string, sid = `SM${randomUUID().replace(/-/g, '')}`) => ({
  ToCountry: 'PH',
  ToState: '',
  SmsMessageSid: sid,
  NumMedia: '0',
  ToCity: '',
  FromZip: '',
  SmsSid: sid,
  FromState: '',
  SmsStatus: 'received',
  FromCity: '',
  Body: body,
  FromCountry: 'PH',
  To: SMS_FROM,
  MessagingServiceSid: '',
  ToZip: '',
  NumSegments: '1',
  MessageSid: sid,
  AccountSid: SECRETS.twilioSid,
  From: from,
  ApiVersion: '2010-04-01',
});

/** Polls until `fn` returns a truthy value (bounded by count, not by a timing assertion). */
export async function eventually<T>(fn: () => T | Promise<T>, what = 'condition', tries = 400, everyMs = 25): Promise<NonNullable<T>> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`never happened: ${what}`);
}

/** Basic credentials of the test facility at the sandbox (staff API too). */
export const sandboxAuth = `Basic ${Buffer.from('st-lukes:st-lukes-key').toString('base64')}`;

export async function staffCall(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/sandbox/${FACILITY}/staff${path}`, {
    method,
    headers: { authorization: sandboxAuth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

export type Service = { platforms: Platforms; fd: Frontdesk & { base: string } };

/** One whole service per test file: the platforms' stand-in and frontdesk, started before the file's tests and closed after. */
export function useService(config: (platformsUrl: string) => Config = (url) => testConfig({ platformsUrl: url })): Service {
  const svc = {} as Service;
  beforeAll(async () => {
    svc.platforms = await startPlatforms();
    svc.fd = await startFrontdesk(config(svc.platforms.url));
  });
  afterAll(async () => {
    svc.platforms?.respond(undefined);
    await svc.fd?.close();
    await svc.platforms?.close();
  });
  return svc;
}

/** the provider event with this webhook-id was accepted and no provider event is waiting or running */
export async function providerEventApplied(fd: Pick<Frontdesk, 'store' | 'queues'>, facilityId: string, webhookId: string): Promise<boolean> {
  return (await fd.store.serial.seen(`provider:${facilityId}:${webhookId}`)) && (await fd.queues.provider.stats()).depth === 0;
}
