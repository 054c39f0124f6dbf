/**
 * Issue 10, inbound edges: every webhook route verifies the signature on the raw bytes before it parses
 * anything, parses in linear time, caps its body at what the platform can send (413 above, unread), keeps
 * its error answers small, and answers an unknown page / number / facility exactly like a bad signature.
 * Each test replays an attack on the whole server and checks the safe outcome: the status, a small body,
 * nothing stored, and /healthz still answered while it runs.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../src/http/raw-body.js';
import { MESSENGER_BODY_LIMIT } from '../../channels/messenger/module.js';
import { SMS_BODY_LIMIT } from '../../channels/sms/module.js';
import { VIBER_BODY_LIMIT } from '../../channels/viber/module.js';
import { FACILITY, messengerSignature, messengerText, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM, smsParams, twilioSignature, useService, viberSignature, viberText } from '../support/frontdesk.js';
import { edgeConfig, quietStore, rowChanges, send, storeRows, whileWatchingHealth, type RawAnswer } from '../http/support.js';

const svc = useService((url) => edgeConfig(url));

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const WRONG_HUB = `sha256=${'0'.repeat(64)}`;
const WRONG_TWILIO = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const WRONG_VIBER = 'f'.repeat(64);
/** generous: only "the server still answers", never a performance threshold on the attack itself */
const RESPONSIVE_MS = 2000;

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const smsHeaders = (signature: string) => ({ 'content-type': FORM, 'x-twilio-signature': signature });

function expectSmall(res: RawAnswer) {
  expect(res.body.length, res.text.slice(0, 200)).toBeLessThan(1024);
}

function expectUnauthenticated(res: RawAnswer) {
  expect(res.status, res.text.slice(0, 200)).toBe(401);
  expectSmall(res);
  expect(JSON.parse(res.text)).toEqual({ error: 'invalid_signature', message: 'the request could not be authenticated' });
}

/** Runs `attack` with the store quiet before, checks it is unchanged after and /healthz kept answering. */
async function unchangedAndResponsive<T>(attack: () => Promise<T>): Promise<T> {
  const before = await quietStore(svc.fd.config);
  const { result, health } = await whileWatchingHealth(svc.fd.base, attack);
  expect(health.count).toBeGreaterThan(0);
  expect(health.failures).toBe(0);
  expect(health.max).toBeLessThan(RESPONSIVE_MS);
  await new Promise((r) => setTimeout(r, 100));
  expect(rowChanges(before, storeRows(svc.fd.config))).toEqual({ added: [], removed: [] });
  return result;
}

describe('the quadratic form body (SMS)', () => {
  it('200 KB of one repeated field, unsigned: 413 without parsing, small answer, nothing stored, /healthz answered throughout', async () => {
    const body = `To=${encodeURIComponent(SMS_FROM)}&${'a=1&'.repeat(50 * 1024)}`;
    expect(body.length).toBeGreaterThan(200 * 1024);
    const answers = await unchangedAndResponsive(() =>
      Promise.all([1, 2, 3].map(() => send(svc.fd.base, { path: '/webhooks/sms', headers: smsHeaders(WRONG_TWILIO), body }))),
    );
    for (const res of answers) {
      expect(res.status).toBe(413);
      expectSmall(res);
      expect(JSON.parse(res.text)).toMatchObject({ error: 'payload_too_large' });
    }
  });

  it('just under the cap, 32 000 repeats of one field, unsigned: parsed in linear time, 401, nothing stored, /healthz answered throughout', async () => {
    const body = `To=${encodeURIComponent(SMS_FROM)}&${'a&'.repeat(32_000)}`;
    expect(body.length).toBeLessThan(SMS_BODY_LIMIT);
    for (const path of ['/webhooks/sms', '/webhooks/sms/status']) {
      const answers = await unchangedAndResponsive(() => Promise.all([1, 2, 3].map(() => send(svc.fd.base, { path, headers: smsHeaders(WRONG_TWILIO), body }))));
      for (const res of answers) expectUnauthenticated(res);
    }
  });

  it('a signed form with many repeated fields is still accepted (the signature covers every value)', async () => {
    const phone = '+639175551001';
    const base = smsParams(phone, 'Hi');
    const text = `${form(base)}&${'Extra=x&'.repeat(2000)}Extra=y`;
    const params: Record<string, string | string[]> = { ...base, Extra: [...Array(2000).fill('x'), 'y'] };
    const sig = twilioSignature(`${PUBLIC_URL}/webhooks/sms`, params as Record<string, string>);
    const res = await send(svc.fd.base, { path: '/webhooks/sms', headers: smsHeaders(sig), body: text });
    expect(res.status, res.text).toBe(200);
  });
});

describe('the 1 MB unsigned JSON (Messenger)', () => {
  // 333 000 entries without an id: before the fix each one became an issue in a 3+ MB error answer, parsed before the HMAC
  const body = `{"object":"page","entry":[${'{},'.repeat(333_000)}{}]}`;

  it('is refused by the HMAC alone: 401, a small answer, nothing stored, /healthz answered throughout', async () => {
    expect(body.length).toBeGreaterThan(999_000);
    expect(body.length).toBeLessThan(MESSENGER_BODY_LIMIT);
    const answers = await unchangedAndResponsive(() =>
      Promise.all([1, 2].map(() => send(svc.fd.base, { path: '/webhooks/messenger', headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': WRONG_HUB }, body }))),
    );
    for (const res of answers) expectUnauthenticated(res);
  });

  it('signed, it is a 400 whose answer lists only the first issues', async () => {
    const res = await unchangedAndResponsive(() =>
      send(svc.fd.base, { path: '/webhooks/messenger', headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': messengerSignature(body) }, body }),
    );
    expect(res.status).toBe(400);
    expectSmall(res);
    const answer = JSON.parse(res.text) as { error: string; message: string };
    expect(answer.error).toBe('bad_request');
    expect(answer.message).toMatch(/and \d+ more/);
  });

  it('malformed JSON with a well-formed wrong signature is 401, not 400: nothing is parsed before the check', async () => {
    const res = await send(svc.fd.base, { path: '/webhooks/messenger', headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': WRONG_HUB }, body: '{"object":"page","entry":[' });
    expectUnauthenticated(res);
  });
});

describe('body caps per route: 413 above, signed or not, nothing read or stored', () => {
  const providerHeaders = (body: string, secret: string = SECRETS.webhookSecret) => {
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    return { 'content-type': JSON_TYPE, 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) };
  };

  it('SMS: a valid, signed message padded past 64 KB is 413 and not processed', async () => {
    const phone = '+639175551002';
    const params = smsParams(phone, 'x'.repeat(SMS_BODY_LIMIT));
    const res = await unchangedAndResponsive(() => send(svc.fd.base, { path: '/webhooks/sms', headers: smsHeaders(twilioSignature(`${PUBLIC_URL}/webhooks/sms`, params)), body: form(params) }));
    expect(res.status).toBe(413);
    expectSmall(res);
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'sms', phone)).toBeUndefined();
  });

  it('Viber: a valid, signed message padded past 256 KB is 413 and not processed', async () => {
    const user = 'capViberUser0001==';
    const text = JSON.stringify(viberText(user, 'y'.repeat(VIBER_BODY_LIMIT)));
    const res = await unchangedAndResponsive(() =>
      send(svc.fd.base, { path: `/webhooks/viber/${FACILITY}`, headers: { 'content-type': JSON_TYPE, 'x-viber-content-signature': viberSignature(text) }, body: text }),
    );
    expect(res.status).toBe(413);
    expectSmall(res);
    expect(await svc.fd.store.contacts.byChannelUser(FACILITY, 'viber', user)).toBeUndefined();
  });

  it('Messenger and provider: a signed body past 1 MiB is 413', async () => {
    const psid = '7100000000000777';
    const text = JSON.stringify(messengerText(psid, 'z'.repeat(MESSENGER_BODY_LIMIT)));
    const m = await unchangedAndResponsive(() => send(svc.fd.base, { path: '/webhooks/messenger', headers: { 'content-type': JSON_TYPE, 'x-hub-signature-256': messengerSignature(text) }, body: text }));
    expect(m.status).toBe(413);
    expectSmall(m);
    const event = JSON.stringify({ type: 'appointmentCreated', occurredAt: new Date().toISOString(), data: { padding: 'p'.repeat(BODY_LIMITS.provider) } });
    const p = await unchangedAndResponsive(() => send(svc.fd.base, { path: `/webhooks/provider/${FACILITY}`, headers: providerHeaders(event), body: event }));
    expect(p.status).toBe(413);
    expectSmall(p);
  });

  it.each([
    ['/webhooks/sms', SMS_BODY_LIMIT, FORM],
    ['/webhooks/sms/status', SMS_BODY_LIMIT, FORM],
    [`/webhooks/viber/${FACILITY}`, VIBER_BODY_LIMIT, JSON_TYPE],
    ['/webhooks/messenger', MESSENGER_BODY_LIMIT, JSON_TYPE],
    [`/webhooks/provider/${FACILITY}`, BODY_LIMITS.provider, JSON_TYPE],
  ])('%s: a declared Content-Length over the cap is answered 413 before the body is sent', async (path, cap, type) => {
    const res = await send(svc.fd.base, { path, headers: { 'content-type': type }, declaredLength: cap + 1 });
    expect(res.status).toBe(413);
    expectSmall(res);
  });

  it.each([
    ['/webhooks/sms', SMS_BODY_LIMIT, FORM],
    [`/webhooks/viber/${FACILITY}`, VIBER_BODY_LIMIT, JSON_TYPE],
    ['/webhooks/messenger', MESSENGER_BODY_LIMIT, JSON_TYPE],
    [`/webhooks/provider/${FACILITY}`, BODY_LIMITS.provider, JSON_TYPE],
  ])('%s: a chunked body (no length) growing past the cap is 413', async (path, cap, type) => {
    const res = await send(svc.fd.base, { path, headers: { 'content-type': type }, body: Buffer.alloc(cap + 64 * 1024, 0x61), chunked: true });
    expect(res.status).toBe(413);
    expectSmall(res);
  });
});

describe('an unknown page, number or facility is answered exactly like a bad signature', () => {
  const post = (path: string, headers: Record<string, string>, body: string) => send(svc.fd.base, { path, headers, body });

  it('Messenger: an unsigned batch naming an unknown page, or one of ours, or malformed: the same 401', async () => {
    const unknownPage = JSON.stringify(messengerText('7100000000000001', 'hi', { pageId: '999999999999' }));
    const ourPage = JSON.stringify(messengerText('7100000000000002', 'hi'));
    const answers = await unchangedAndResponsive(() =>
      Promise.all(
        [unknownPage, ourPage, '{"object":"page"', ''].map((b) => post('/webhooks/messenger', { 'content-type': JSON_TYPE, 'x-hub-signature-256': WRONG_HUB }, b)),
      ),
    );
    for (const res of answers) expectUnauthenticated(res);
    expect(answers.every((a) => a.text === answers[0]!.text)).toBe(true);
    for (const res of answers) expect(res.text).not.toContain(PAGE_ID);
  });

  it('Viber: an unknown facility (even signed with a real token) and a bad signature: the same 401', async () => {
    const text = JSON.stringify(viberText('unknownViber0001==', 'hi'));
    const answers = await unchangedAndResponsive(() =>
      Promise.all([
        post('/webhooks/viber/no-such-clinic', { 'content-type': JSON_TYPE, 'x-viber-content-signature': viberSignature(text) }, text),
        post('/webhooks/viber/no-such-clinic', { 'content-type': JSON_TYPE, 'x-viber-content-signature': WRONG_VIBER }, text),
        post(`/webhooks/viber/${FACILITY}`, { 'content-type': JSON_TYPE, 'x-viber-content-signature': WRONG_VIBER }, text),
        post(`/webhooks/viber/${FACILITY}`, { 'content-type': JSON_TYPE }, 'not json'),
      ]),
    );
    for (const res of answers) expectUnauthenticated(res);
  });

  it('SMS: a To no facility serves (signed with a real token), a missing To, and a bad signature: the same 401', async () => {
    const url = `${PUBLIC_URL}/webhooks/sms`;
    const unknownTo = { ...smsParams('+639175551003', 'hi'), To: '+639170009999' };
    const { To: _to, ...noTo } = smsParams('+639175551004', 'hi');
    const ours = smsParams('+639175551005', 'hi');
    const answers = await unchangedAndResponsive(() =>
      Promise.all([
        post('/webhooks/sms', smsHeaders(twilioSignature(url, unknownTo)), form(unknownTo)),
        post('/webhooks/sms', smsHeaders(twilioSignature(url, noTo)), form(noTo)),
        post('/webhooks/sms', smsHeaders(WRONG_TWILIO), form(ours)),
        post('/webhooks/sms', { 'content-type': FORM }, form(ours)),
      ]),
    );
    for (const res of answers) expectUnauthenticated(res);
    for (const res of answers) expect(res.text).not.toContain(SMS_FROM);
  });

  it('SMS status: a From no facility serves (signed) and a bad signature: the same 401', async () => {
    const url = `${PUBLIC_URL}/webhooks/sms/status`;
    const status = (from: string) => ({ MessageSid: 'SM1', MessageStatus: 'delivered', From: from, To: '+639175551006', AccountSid: SECRETS.twilioSid, ApiVersion: '2010-04-01', SmsSid: 'SM1', SmsStatus: 'delivered' });
    const answers = await unchangedAndResponsive(() =>
      Promise.all([
        post('/webhooks/sms/status', smsHeaders(twilioSignature(url, status('+639170009999'))), form(status('+639170009999'))),
        post('/webhooks/sms/status', smsHeaders(WRONG_TWILIO), form(status(SMS_FROM))),
      ]),
    );
    for (const res of answers) expectUnauthenticated(res);
  });

  it('provider: an unknown facility (signed with a real secret) and a bad signature: the same 401', async () => {
    const event = JSON.stringify({ type: 'appointmentCreated', occurredAt: new Date().toISOString(), data: {} });
    const signed = (secret: string) => {
      const id = `msg_${randomUUID()}`;
      const at = new Date();
      return { 'content-type': JSON_TYPE, 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, event) };
    };
    const other = `whsec_${Buffer.from('another-provider-secret-0123456789').toString('base64')}`;
    const answers = await unchangedAndResponsive(() =>
      Promise.all([
        post('/webhooks/provider/no-such-clinic', signed(SECRETS.webhookSecret), event),
        post(`/webhooks/provider/${FACILITY}`, signed(other), event),
        post(`/webhooks/provider/${FACILITY}`, { 'content-type': JSON_TYPE }, event),
        post('/webhooks/provider/no-such-clinic', { 'content-type': JSON_TYPE }, 'not json'),
      ]),
    );
    for (const res of answers) expectUnauthenticated(res);
  });
});
