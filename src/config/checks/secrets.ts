import { DEMO_STAFF_TOKEN, DEMO_WEBHOOK_SECRET } from '../demo.js';
import { decodeWebhookSecret, MIN_TOKEN_CHARS, MIN_WEBHOOK_SECRET_BYTES } from '../secrets.js';
import { channelField, facilityPath, list, rec, type ConfigInput, type Report } from './input.js';
import { isSandboxProvider } from './urls.js';

/** Secrets: long enough, and never the demo's public ones. */

function weakToken(add: Report, path: string, value: unknown, what: string): void {
  if (typeof value !== 'string' || value.length === 0) return; // missing or not a string: the schema says so
  if (value.length < MIN_TOKEN_CHARS) add(path, `too weak: ${what} must be at least ${MIN_TOKEN_CHARS} characters (this one has ${value.length})`);
}

function demoStaffToken(add: Report, path: string, value: unknown, { opts }: ConfigInput): void {
  if (!opts.demo && value === DEMO_STAFF_TOKEN) add(path, "the built-in demo's staff token is public (src/config/demo.ts): choose your own");
}

/** `staffTokens` and `staff`: strong, not the demo's, each given once, scoped to facilities that exist. */
export function staffTokenRules(input: ConfigInput, add: Report): void {
  const { root, facilities } = input;
  list(root.staffTokens).forEach((t, i) => {
    weakToken(add, `staffTokens[${i}]`, t, 'a staff token');
    demoStaffToken(add, `staffTokens[${i}]`, t, input);
  });
  const facilityIds = new Set(facilities.map((f) => f.id));
  const seenTokens = new Set(list(root.staffTokens).filter((t): t is string => typeof t === 'string'));
  list(root.staff).forEach((s, i) => {
    const t = rec(s)?.token;
    weakToken(add, `staff[${i}].token`, t, 'a staff token');
    demoStaffToken(add, `staff[${i}].token`, t, input);
    if (typeof t === 'string' && seenTokens.has(t)) add(`staff[${i}].token`, 'the same token is given twice (in staff or staffTokens): each token names one holder');
    if (typeof t === 'string') seenTokens.add(t);
    const scoped = rec(s)?.facilities;
    if (Array.isArray(scoped)) scoped.forEach((id, j) => {
      if (typeof id === 'string' && !facilityIds.has(id)) add(`staff[${i}].facilities[${j}]`, `no facility "${id}" is configured`);
    });
  });
}

function webhookSecretRule(add: Report, path: string, secret: unknown, { opts }: ConfigInput): void {
  const key = typeof secret === 'string' ? decodeWebhookSecret(secret) : undefined; // undecodable: reported by the schema
  if (!opts.demo && secret === DEMO_WEBHOOK_SECRET) {
    add(path, "the built-in demo's webhook secret is public (src/config/demo.ts): anyone could sign provider events; generate your own");
  } else if (key && key.length < MIN_WEBHOOK_SECRET_BYTES) {
    add(
      path,
      `too weak: the key after whsec_ must be at least ${MIN_WEBHOOK_SECRET_BYTES} bytes once base64-decoded (this one has ${key.length}); ` +
        `e.g. node -e "console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
}

/** [channel, field, what it is] of every channel secret, in the order they are reported */
const CHANNEL_SECRETS: [string, string, string][] = [
  ['messenger', 'appSecret', 'the app secret'],
  ['messenger', 'pageAccessToken', 'the page access token'],
  ['messenger', 'verifyToken', 'the verify token'],
  ['viber', 'authToken', 'the auth token'],
  ['sms', 'authToken', 'the auth token'],
  ['whatsapp', 'appSecret', 'the app secret'],
  ['whatsapp', 'accessToken', 'the access token'],
  ['whatsapp', 'verifyToken', 'the verify token'],
];

/** Each facility's provider API key and webhook secret, then its channels' secrets. */
export function facilitySecretRules(input: ConfigInput, add: Report): void {
  input.facilities.forEach((f, i) => {
    const provider = rec(f.provider);
    if (provider) {
      // a sandbox's key guards only its seeded, made-up clinic
      if (!isSandboxProvider(provider.baseUrl)) weakToken(add, facilityPath(i, 'provider', 'apiKey'), provider.apiKey, 'the provider API key');
      webhookSecretRule(add, facilityPath(i, 'provider', 'webhookSecret'), provider.webhookSecret, input);
    }
    for (const [channel, field, what] of CHANNEL_SECRETS) {
      weakToken(add, facilityPath(i, 'channels', channel, field), channelField(f, channel, field), what);
    }
  });
}
