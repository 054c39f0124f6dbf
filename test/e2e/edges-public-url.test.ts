/**
 * Issue 10, inbound edges: a deployment without `publicUrl` (allowed unless SMS is configured) must take
 * Messenger and Viber webhooks. Koa 3.3 made `ctx.origin` the request's Origin header, which a platform's
 * server-to-server call does not send; the request URL used to be built from it, so every Messenger and
 * Viber webhook of such a deployment was a 500. Each channel is tested with and without publicUrl, with
 * and without an Origin header.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { eventually, FACILITY, messengerSignature, messengerText, PUBLIC_URL, smsParams, startFrontdesk, startPlatforms, twilioSignature, viberSignature, viberText } from '../support/frontdesk.js';
import { edgeConfig, send, type ChannelKey } from '../http/support.js';
import { afterAll, beforeAll } from 'vitest';
import type { Frontdesk } from '../../src/app.js';

type Svc = { fd: Frontdesk & { base: string }; platforms: Awaited<ReturnType<typeof startPlatforms>> };

function service(channels: ChannelKey[], publicUrl: boolean): Svc {
  const svc = {} as Svc;
  beforeAll(async () => {
    svc.platforms = await startPlatforms();
    svc.fd = await startFrontdesk(edgeConfig(svc.platforms.url, { channels, publicUrl }));
  });
  afterAll(async () => {
    await svc.fd?.close();
    await svc.platforms?.close();
  });
  return svc;
}

let n = 0;
const uniq = () => `${Date.now()}${(n += 1)}`;

async function messenger(svc: Svc, origin?: string) {
  const psid = `71${uniq()}`;
  const text = JSON.stringify(messengerText(psid, 'hi'));
  const res = await send(svc.fd.base, {
    path: '/webhooks/messenger',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': messengerSignature(text), ...(origin ? { origin } : {}) },
    body: text,
  });
  expect(res.status, res.text).toBe(200);
  expect(res.text).toBe('EVENT_RECEIVED');
  await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), `messenger contact ${psid}`);
}

async function viber(svc: Svc, origin?: string) {
  const user = `vU${uniq()}==`;
  const text = JSON.stringify(viberText(user, 'hi'));
  const res = await send(svc.fd.base, {
    path: `/webhooks/viber/${FACILITY}`,
    headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignature(text), ...(origin ? { origin } : {}) },
    body: text,
  });
  expect(res.status, res.text).toBe(200);
  await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, 'viber', user), `viber contact ${user}`);
}

async function sms(svc: Svc, origin?: string) {
  const phone = `+63917${String(1_000_000 + (n += 1)).slice(-7)}`;
  const params = smsParams(phone, 'Hi');
  const res = await send(svc.fd.base, {
    path: '/webhooks/sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(`${PUBLIC_URL}/webhooks/sms`, params), ...(origin ? { origin } : {}) },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status, res.text).toBe(200);
  await eventually(() => svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone), `sms contact ${phone}`);
}

describe('without publicUrl (a Messenger and Viber hospital)', () => {
  const svc = service(['messenger', 'viber'], false);

  it('the config is valid and has no publicUrl', () => {
    expect(svc.fd.config.publicUrl).toBeUndefined();
  });

  it('Messenger: a signed webhook is 200 and processed, with or without an Origin header', async () => {
    await messenger(svc);
    await messenger(svc, 'https://somewhere.example');
    await messenger(svc, 'null');
  });

  it('Viber: a signed webhook is 200 and processed, with or without an Origin header', async () => {
    await viber(svc);
    await viber(svc, 'https://somewhere.example');
  });

  it('an unsigned webhook is a 401, not a 500', async () => {
    for (const path of ['/webhooks/messenger', `/webhooks/viber/${FACILITY}`]) {
      const res = await send(svc.fd.base, { path, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, path).toBe(401);
    }
  });
});

describe('with publicUrl (every channel)', () => {
  const svc = service(['messenger', 'viber', 'sms'], true);

  it('Messenger, Viber and SMS webhooks are 200 and processed, with or without an Origin header', async () => {
    await messenger(svc);
    await viber(svc);
    await sms(svc);
    await messenger(svc, 'https://somewhere.example');
    await viber(svc, 'https://somewhere.example');
    // Twilio signs publicUrl + path: an Origin header changes nothing
    await sms(svc, 'https://somewhere.example');
  });
});

describe('SMS without publicUrl', () => {
  it('is refused at start-up, naming publicUrl (Twilio signs publicUrl + path)', () => {
    const cfg = edgeConfig('http://127.0.0.1:9', { channels: ['messenger'] });
    const raw = { ...cfg, publicUrl: undefined, facilities: cfg.facilities.map((f) => ({ ...f, channels: { sms: { accountSid: 'AC1', authToken: 'an-sms-auth-token-0123', from: '+639170000009' } } })) };
    const r = validateConfig(raw, {});
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.ok ? [] : r.error)).toMatch(/publicUrl/);
  });
});
