/**
 * The floor: a bare Koa app with frontdesk's three webhook routes doing only the same signature checks on
 * the raw body (HMAC-SHA256 for Messenger and Viber, the twilio package's check for SMS), then 200.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import twilio from 'twilio';
import { PATHS, PUBLIC_URL, SECRETS } from '../fixtures.js';
import { fail, serve } from './ipc.js';

const hmacMatches = (secret: string, body: Buffer, hex: string | undefined): boolean => {
  if (!hex) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

async function main(): Promise<void> {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== 'POST') return;
    const body = await getRawBody(ctx.req, { limit: '1mb' });
    let ok = false;
    if (ctx.path === PATHS.messenger) ok = hmacMatches(SECRETS.appSecret, body, ctx.get('x-hub-signature-256').replace(/^sha256=/, ''));
    else if (ctx.path === PATHS.viber) ok = hmacMatches(SECRETS.viberToken, body, ctx.get('x-viber-content-signature'));
    else if (ctx.path === PATHS.sms) {
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      ok = twilio.validateRequest(SECRETS.twilioToken, ctx.get('x-twilio-signature'), `${PUBLIC_URL}${PATHS.sms}`, params);
    } else return;
    ctx.status = ok ? 200 : 401;
    ctx.body = ok ? 'EVENT_RECEIVED' : 'bad signature';
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {}, async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
}

main().catch(fail);
