/**
 * Issue 10, inbound edges: property-based fuzzing of every webhook route on the whole server (fast-check,
 * fixed seed, bounded runs). Random and adversarial bodies (JSON, bytes, forms with repeated fields, deep
 * nesting, platform-shaped payloads with mutated fields), headers (signatures absent, garbage, well-formed
 * but wrong, oversized; content types) and sizes (empty to past each route's cap), unsigned and signed:
 * - never a 5xx;
 * - without a valid signature: never a 2xx, a 401 always with the one unauthenticated body, a small answer,
 *   and no row of the store added, changed or removed (checked after every request);
 * - the event loop stays responsive: /healthz, polled all along, is answered promptly.
 */
import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNAUTHENTICATED } from '../../src/http/errors.js';
import { BODY_LIMITS } from '../../src/http/raw-body.js';
import { MESSENGER_BODY_LIMIT } from '../../channels/messenger/module.js';
import { SMS_BODY_LIMIT } from '../../channels/sms/module.js';
import { VIBER_BODY_LIMIT } from '../../channels/viber/module.js';
import { FACILITY, messengerText, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM, smsParams, useService, viberText } from '../support/frontdesk.js';
import { edgeConfig, quietStore, rowChanges, send, storeRows, watchHealth, type RawAnswer } from '../http/support.js';

const svc = useService((url) => edgeConfig(url));

const SEED = 42;
const RESPONSIVE_MS = 2000;

type Route = 'messenger' | 'messenger-get' | 'viber' | 'sms' | 'sms-status' | 'provider';
const ROUTES: Route[] = ['messenger', 'messenger-get', 'viber', 'sms', 'sms-status', 'provider'];
const CAP: Record<Exclude<Route, 'messenger-get'>, number> = {
  messenger: MESSENGER_BODY_LIMIT,
  viber: VIBER_BODY_LIMIT,
  sms: SMS_BODY_LIMIT,
  'sms-status': SMS_BODY_LIMIT,
  provider: BODY_LIMITS.provider,
};

// ---- bodies ----

const printable = fc.string({ unit: 'binary-ascii', maxLength: 64 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x'));
const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 64, maxLength: 64 });
const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), minLength: 27, maxLength: 27 }).map((s) => `${s}=`);

/** a fragment repeated up to about `max` bytes: large bodies without generating megabytes of randomness */
const repeated = (fragment: fc.Arbitrary<string>, max: number) =>
  fc.tuple(fragment.filter((f) => f.length > 0), fc.integer({ min: 1, max })).map(([f, size]) => f.repeat(Math.max(1, Math.ceil(size / f.length))).slice(0, size));

const adversarialJson = fc.oneof(
  fc.integer({ min: 1, max: 60_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
  fc.integer({ min: 1, max: 20_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `{${Array.from({ length: Math.min(n, 20_000) }, () => '"a":1').join(',')}}`),
  fc.constant('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  fc.integer({ min: 1, max: 300_000 }).map((n) => `{"object":"page","entry":[${'{},'.repeat(n)}{}]}`),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `"${'\\u0000'.repeat(Math.min(n, 150_000))}"`),
  fc.constantFrom('', ' ', 'null', 'true', '[]', '{}', '{"object":"page"}', '{"object":"page","entry":[', '\uFEFF{}', '{"event":"message"}'),
);

/** platform-shaped payloads with fields swapped for random values */
/** platform-shaped payloads with fields swapped for random values, one family per route */
const messengerShaped = fc
  .record({ psid: printable, text: fc.string({ maxLength: 300 }), pageId: fc.oneof({ arbitrary: fc.constant(PAGE_ID), weight: 3 }, printable, fc.constant('999999')) })
  .map(({ psid, text, pageId }) => JSON.stringify(messengerText(psid || 'p', text, { pageId })));
const viberShaped = fc
  .record({
    user: printable,
    text: fc.string({ maxLength: 300 }),
    event: fc.oneof({ arbitrary: fc.constant('message'), weight: 3 }, fc.constantFrom('subscribed', 'unsubscribed', 'conversation_started', 'delivered', 'seen', 'failed', 'webhook', 'client_status', '')),
    token: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(-1)),
  })
  .map(({ user, text, event, token }) => {
    const base = viberText(user || 'u', text, token);
    return JSON.stringify({ ...base, event, user: base.sender, user_id: base.sender.id, type: 'open', subscribed: false });
  });
const providerShaped = fc
  .record({
    type: fc.constantFrom('appointmentCreated', 'appointmentCanceled', 'patientCreated', 'nope', ''),
    at: fc.oneof(fc.constant(new Date().toISOString()), printable),
    data: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      // the contract's appointment, with a random id, status and phone
      fc.record({ id: printable, status: fc.constantFrom('SCHEDULED', 'CANCELED', 'TELEPORTED'), phone: fc.oneof(fc.constant('+639174440001'), printable) }).map(({ id, status, phone }) => {
        const start = new Date(Date.now() + 5 * 86_400_000);
        return {
          source: 'staff',
          appointment: { appointmentId: `F-${id}`, status, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), calendarId: '101', appointmentTypeId: '1001', patientId: `P-${id}`, patient: { name: 'Fuzz Patient', phone }, updatedAt: new Date().toISOString() },
        };
      }),
    ),
  })
  .map(({ type, at, data }) => JSON.stringify({ type, occurredAt: at, data }));
const shapedJson = fc.oneof(messengerShaped, viberShaped, providerShaped);

const formKey = fc.oneof(fc.constantFrom('To', 'From', 'Body', 'MessageSid', 'MessageStatus', 'SmsSid', 'AccountSid', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''), printable);
const formValue = fc.oneof(fc.constantFrom(SMS_FROM, '+639170009999', 'delivered', 'STOP', '', '%', '%zz', '%E0%A4%A', '+'), fc.string({ maxLength: 200 }));
const formBody = fc.oneof(
  fc.array(fc.tuple(formKey, formValue), { maxLength: 40 }).map((pairs) => new URLSearchParams(pairs).toString()),
  fc.record({ phone: printable, body: fc.string({ maxLength: 400 }), to: fc.oneof(fc.constant(SMS_FROM), printable) }).map(({ phone, body, to }) => new URLSearchParams({ ...smsParams(phone || '+1', body), To: to }).toString()),
  fc.integer({ min: 1, max: 40_000 }).map((n) => `To=${encodeURIComponent(SMS_FROM)}&${'a&'.repeat(n)}`),
  fc.constantFrom('%', '&&&&', '=&=&=', 'a=%zz&b=%', '%00=%00', 'To=%2B639170000001&To=%2B639170000002'),
);

/** the route's own payload family (or an SMS form) */
const shapedFor = (route: Route): fc.Arbitrary<Buffer> =>
  (route === 'messenger' ? messengerShaped : route === 'viber' ? viberShaped : route === 'provider' ? providerShaped : formBody).map((t) => Buffer.from(t));

const bytes = fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a));

/** a body for `route`: mostly small, sometimes near or past the cap */
function bodyFor(route: Route): fc.Arbitrary<Buffer> {
  const cap = route === 'messenger-get' ? 1024 : CAP[route];
  const text = fc.oneof(
    { arbitrary: fc.json({ maxDepth: 4 }), weight: 3 },
    { arbitrary: shapedJson, weight: 4 },
    { arbitrary: formBody, weight: route === 'sms' || route === 'sms-status' ? 5 : 1 },
    { arbitrary: adversarialJson, weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 2000 }), weight: 1 },
    { arbitrary: repeated(fc.oneof(fc.json({ maxDepth: 1 }), fc.constantFrom('a&', 'a=1&', '{}', '['), printable), Math.floor(cap * 1.3)), weight: 1 },
  );
  return fc.oneof({ arbitrary: text.map((t) => Buffer.from(t)), weight: 6 }, { arbitrary: bytes, weight: 1 });
}

// ---- headers ----

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'APPLICATION/X-WWW-FORM-URLENCODED', ''];
/** mostly the type the platform sends, sometimes any other (or none) */
const contentTypeFor = (route: Route) =>
  fc.oneof({ arbitrary: fc.constant(route.startsWith('sms') ? 'application/x-www-form-urlencoded' : 'application/json'), weight: 4 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 });

/** a signature header value that is not the right one */
const wrongSignature = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  printable,
  hex64,
  hex64.map((h) => `sha256=${h}`),
  hex64.map((h) => `sha1=${h.slice(0, 40)}`),
  b64,
  fc.integer({ min: 1, max: 8000 }).map((n) => 'A'.repeat(n)),
  fc.tuple(hex64, hex64).map(([a, b]) => `v1,${Buffer.from(a).toString('base64')} v1,${Buffer.from(b).toString('base64')}`),
);

const facilitySegment = fc.oneof(
  { arbitrary: fc.constant(FACILITY), weight: 4 },
  { arbitrary: fc.constantFrom('no-such-clinic', '..', '%2e%2e', 'st-lukes%00', 'ST-LUKES', `${FACILITY}-x`, 'a'.repeat(2000)), weight: 2 },
  { arbitrary: fc.webSegment().filter((s) => s.length > 0), weight: 1 },
);

interface Attack {
  route: Route;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  method: 'GET' | 'POST';
}

const signatureHeader: Record<Exclude<Route, 'messenger-get'>, string> = {
  messenger: 'x-hub-signature-256',
  viber: 'x-viber-content-signature',
  sms: 'x-twilio-signature',
  'sms-status': 'x-twilio-signature',
  provider: 'webhook-signature',
};

function pathFor(route: Route, facility: string, query: string): string {
  switch (route) {
    case 'messenger':
      return '/webhooks/messenger';
    case 'messenger-get':
      return `/webhooks/messenger?${query}`;
    case 'viber':
      return `/webhooks/viber/${facility}`;
    case 'sms':
      return '/webhooks/sms';
    case 'sms-status':
      return '/webhooks/sms/status';
    case 'provider':
      return `/webhooks/provider/${facility}`;
  }
}

const handshakeQuery = fc.oneof(
  // the handshake's own shape with a wrong token (403) or a piece missing (400)
  fc.record({ mode: fc.constantFrom('subscribe', 'SUBSCRIBE', ''), token: fc.oneof(printable, fc.constant(`${SECRETS.verifyToken} `)), challenge: printable }).map(({ mode, token, challenge }) =>
    new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token === SECRETS.verifyToken ? `${token}x` : token, 'hub.challenge': challenge }).toString(),
  ),
  fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge', 'hub.mode[]', '__proto__'), printable), fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', SECRETS.verifyToken.slice(0, -1), ''), printable)),
    { maxLength: 30 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString()),
);

/** an unauthenticated request: anything but the right signature */
const unsigned: fc.Arbitrary<Attack> = fc.constantFrom(...ROUTES).chain((route) =>
  fc
    .record({
      body: route === 'messenger-get' ? fc.constant(Buffer.alloc(0)) : bodyFor(route),
      signature: wrongSignature,
      contentType: contentTypeFor(route),
      facility: facilitySegment,
      query: handshakeQuery,
      webhookId: fc.oneof(fc.constant(`msg_${randomUUID()}`), printable),
      timestamp: fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), printable),
    })
    .map(({ body, signature, contentType, facility, query, webhookId, timestamp }) => {
      const headers: Record<string, string> = {};
      if (contentType) headers['content-type'] = contentType;
      if (route !== 'messenger-get' && signature !== undefined) headers[signatureHeader[route]] = signature;
      if (route === 'provider') Object.assign(headers, { 'webhook-id': webhookId, 'webhook-timestamp': timestamp });
      return { route, method: route === 'messenger-get' ? 'GET' : 'POST', path: pathFor(route, facility, query), headers, body } satisfies Attack;
    }),
);

/** a request carrying the right signature for whatever body it has (only the sender holding the secret could send it) */
const signed: fc.Arbitrary<Attack> = fc.constantFrom<Exclude<Route, 'messenger-get'>>('messenger', 'viber', 'sms', 'sms-status', 'provider').chain((route) =>
  fc.record({ body: fc.oneof({ arbitrary: shapedFor(route), weight: 1 }, { arbitrary: bodyFor(route), weight: 1 }), contentType: contentTypeFor(route) }).map(({ body, contentType }) => {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const path = pathFor(route, FACILITY, '');
    if (route === 'messenger') headers['x-hub-signature-256'] = messengerSignatureOf(body);
    if (route === 'viber') headers['x-viber-content-signature'] = viberSignatureOf(body);
    if (route === 'sms' || route === 'sms-status') {
      // Twilio signs what it sends: our number in To (From for a status callback), over the parsed form
      const params: Record<string, string | string[]> = {};
      const form = new URLSearchParams(body.toString('utf8'));
      form.set(route === 'sms' ? 'To' : 'From', SMS_FROM);
      for (const [k, v] of form) {
        const prev = params[k];
        if (prev === undefined) params[k] = v;
        else if (Array.isArray(prev)) prev.push(v);
        else params[k] = [prev, v];
      }
      body = Buffer.from(form.toString());
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(SECRETS.twilioToken, `${PUBLIC_URL}${path}`, params as Record<string, string>);
    }
    if (route === 'provider') {
      const id = `msg_${randomUUID()}`;
      const at = new Date();
      Object.assign(headers, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRETS.webhookSecret).sign(id, at, body.toString('utf8')) });
    }
    return { route, method: 'POST', path, headers, body } satisfies Attack;
  }),
);

// the platforms sign bytes (the test helpers take strings): these bodies may not be valid UTF-8
const messengerSignatureOf = (body: Buffer) => `sha256=${createHmac('sha256', SECRETS.appSecret).update(body).digest('hex')}`;
const viberSignatureOf = (body: Buffer) => createHmac('sha256', SECRETS.viberToken).update(body).digest('hex');

const describeAttack = (a: Attack) => `${a.method} ${a.path.slice(0, 120)} headers=${JSON.stringify(a.headers).slice(0, 300)} body(${a.body.length})=${a.body.subarray(0, 120).toString('utf8')}`;

function fire(a: Attack): Promise<RawAnswer> {
  return send(svc.fd.base, { method: a.method, path: a.path, headers: a.headers, ...(a.method === 'POST' ? { body: a.body } : {}) });
}

describe('fuzzing every webhook route', () => {
  let health: ReturnType<typeof watchHealth>;
  beforeAll(() => {
    health = watchHealth(svc.fd.base);
  });
  afterAll(async () => {
    await health?.stop();
  });

  it('unsigned or wrongly signed: never a 5xx nor a 2xx, one 401 body, small answers, the store untouched', async () => {
    let before = await quietStore(svc.fd.config);
    await fc.assert(
      fc.asyncProperty(unsigned, async (a) => {
        const res = await fire(a);
        const where = `${describeAttack(a)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).toBeLessThan(500);
        expect(res.status >= 200 && res.status < 300, where).toBe(false);
        expect(res.body.length, where).toBeLessThan(1024);
        if (a.method === 'POST') {
          expect([400, 401, 413], where).toContain(res.status);
          if (res.status === 401) expect(JSON.parse(res.text), where).toEqual(UNAUTHENTICATED);
        } else {
          expect([400, 403], where).toContain(res.status);
        }
        const after = storeRows(svc.fd.config);
        expect(rowChanges(before, after), where).toEqual({ added: [], removed: [] });
        before = after;
      }),
      { seed: SEED, numRuns: 300 },
    );
  }, 120_000);

  it('signed with the right secret, whatever the body: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(signed, async (a) => {
        const res = await fire(a);
        const where = `${describeAttack(a)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).toBeLessThan(500);
        if (res.status >= 400) expect(res.body.length, where).toBeLessThan(1024);
        if (a.body.length > CAP[a.route as Exclude<Route, 'messenger-get'>]) expect(res.status, where).toBe(413);
      }),
      { seed: SEED, numRuns: 150 },
    );
  }, 120_000);

  it('the event loop stayed responsive all along: /healthz answered promptly', async () => {
    const h = await health.stop();
    expect(h.count).toBeGreaterThan(10);
    expect(h.failures).toBe(0);
    expect(h.max).toBeLessThan(RESPONSIVE_MS);
  });
});
