/**
 * Issue 10, inbound edges: Koa's proxy trust (X-Forwarded-Proto / -Host / -For) is opt-in through
 * `trustProxy` (default false), no longer hard-coded on. What it changes for webhooks: when the URL Twilio
 * signed must be rebuilt from the request (no publicUrl), forwarded headers count only when trusted; the
 * Origin header never counts. Real Koa server on an ephemeral port, real SMS channel, fake sinks.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sms } from '../../channels/sms/module.js';
import type { ChannelModule } from '../../src/core/channel.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/http/metrics.js';
import { buildHttpApp } from '../../src/http/server.js';
import { SECRETS, SMS_FROM, smsParams, twilioSignature } from '../support/frontdesk.js';
import { send } from './support.js';

const baseConfig = (extra: Record<string, unknown> = {}): Config =>
  configSchema.parse({
    publicUrl: 'https://bot.example.org',
    facilities: [
      {
        id: 'st-lukes',
        name: "St. Luke's",
        timezone: 'Asia/Manila',
        provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'provider-api-key-0123', webhookSecret: SECRETS.webhookSecret },
        channels: { sms: { accountSid: SECRETS.twilioSid, authToken: SECRETS.twilioToken, from: SMS_FROM } },
      },
    ],
    ...extra,
  });

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** frontdesk's HTTP app with the real SMS channel; `publicUrl` removed when asked (the URL is then rebuilt from the request). */
async function start(config: Config, opts: { withoutPublicUrl?: boolean } = {}) {
  const cfg: Config = opts.withoutPublicUrl ? { ...config, publicUrl: undefined } : config;
  const accepted: InboundMessage[] = [];
  const app = buildHttpApp({
    config: cfg,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    ready: async () => ({}),
    inbound: { accept: async (m) => (accepted.push(m), { duplicate: false }), acceptReceipt: async () => true },
    providerEvents: { accept: async () => true },
    channels: [{ module: sms as ChannelModule, routes: sms.create({ facilities: cfg.facilities, apiBase: cfg.platformApis.twilio, perSecond: 10, publicUrl: cfg.publicUrl, logger: createLogger({ level: 'silent' }), text: () => '' }).routes }],
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { app, base, accepted };
}

function postSigned(base: string, signedUrl: string, headers: Record<string, string> = {}) {
  const params = smsParams('+639175552001', 'Hi');
  return send(base, {
    path: '/webhooks/sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(signedUrl, params), ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.org' };

describe('trustProxy', () => {
  it('is false unless configured, and Koa trusts forwarded headers only then', async () => {
    expect(baseConfig().trustProxy).toBe(false);
    expect(baseConfig({ trustProxy: true }).trustProxy).toBe(true);
    expect((await start(baseConfig())).app.proxy).toBe(false);
    expect((await start(baseConfig({ trustProxy: true }))).app.proxy).toBe(true);
  });

  it('default: X-Forwarded-Proto/-Host do not change the URL the signature is checked against', async () => {
    const { base, accepted } = await start(baseConfig(), { withoutPublicUrl: true });
    expect((await postSigned(base, 'https://public.example.org/webhooks/sms', forwarded)).status).toBe(401);
    expect(accepted).toHaveLength(0);
    expect((await postSigned(base, `${base}/webhooks/sms`, forwarded)).status).toBe(200);
    expect(accepted).toHaveLength(1);
  });

  it('trustProxy: true: the forwarded URL is the one checked', async () => {
    const { base, accepted } = await start(baseConfig({ trustProxy: true }), { withoutPublicUrl: true });
    expect((await postSigned(base, 'https://public.example.org/webhooks/sms', forwarded)).status).toBe(200);
    expect(accepted).toHaveLength(1);
    expect((await postSigned(base, `${base}/webhooks/sms`, forwarded)).status).toBe(401);
  });

  it('the Origin header never builds the URL, and its absence is no error', async () => {
    for (const trustProxy of [false, true]) {
      const { base } = await start(baseConfig({ trustProxy }), { withoutPublicUrl: true });
      expect((await postSigned(base, 'https://evil.example/webhooks/sms', { origin: 'https://evil.example' })).status).toBe(401);
      expect((await postSigned(base, `${base}/webhooks/sms`, { origin: 'https://evil.example' })).status).toBe(200);
      expect((await postSigned(base, `${base}/webhooks/sms`)).status).toBe(200);
    }
  });

  it('with publicUrl, the signed URL is publicUrl + path whatever the forwarded headers say', async () => {
    for (const trustProxy of [false, true]) {
      const { base } = await start(baseConfig({ trustProxy }));
      expect((await postSigned(base, 'https://bot.example.org/webhooks/sms', forwarded)).status).toBe(200);
      expect((await postSigned(base, 'https://public.example.org/webhooks/sms', forwarded)).status).toBe(401);
    }
  });
});
