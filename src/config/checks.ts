import { DEMO_STAFF_TOKEN, DEMO_WEBHOOK_SECRET } from './demo.js';
import { decodeWebhookSecret, MIN_TOKEN_CHARS, MIN_WEBHOOK_SECRET_BYTES } from './secrets.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

export interface CheckOptions {
  /** the built-in demo config: its public secrets are allowed there, and only there */
  demo?: boolean;
}

/**
 * Rules across fields, and the security policy, run on the raw (interpolated) input rather than on the
 * parsed config: they still run when the shape has problems, so one pass reports everything. Every read
 * is defensive (a value of the wrong type is the schema's problem, reported there, and skipped here).
 */
export function configChecks(input: unknown, opts: CheckOptions = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const root = rec(input) ?? {};
  const facilities = list(root.facilities).map((f) => rec(f) ?? {});
  const at = (i: number, ...rest: string[]) => [`facilities[${i}]`, ...rest].join('.');

  // one id, one page, one number per facility
  const ids = new Set<string>();
  const pages = new Set<string>();
  const numbers = new Set<string>();
  facilities.forEach((f, i) => {
    const id = str(f.id);
    if (id !== undefined && ids.has(id)) add(at(i, 'id'), `duplicate facility id "${id}"`);
    if (id !== undefined) ids.add(id);
    const channels = rec(f.channels);
    const page = str(rec(channels?.messenger)?.pageId);
    if (page && pages.has(page)) add(at(i, 'channels', 'messenger', 'pageId'), 'page served by two facilities');
    if (page) pages.add(page);
    const from = str(rec(channels?.sms)?.from);
    if (from && numbers.has(from)) add(at(i, 'channels', 'sms', 'from'), 'number served by two facilities');
    if (from) numbers.add(from);
  });

  // the sandbox, and the dev chat that only makes sense with it
  facilities.forEach((f, i) => {
    if (rec(f.provider)?.baseUrl === 'sandbox' && root.sandbox !== true) {
      add(at(i, 'provider', 'baseUrl'), '"sandbox" needs "sandbox": true (the sandbox provider mounted in this server)');
    }
  });
  if (root.dev === true) {
    const others = facilities.flatMap((f, i) => (isSandboxProvider(rec(f.provider)?.baseUrl) ? [] : [`facilities[${i}]${str(f.id) ? ` ("${str(f.id)}")` : ''}`]));
    if (others.length > 0) {
      add('dev', `the dev chat (anyone can chat as any patient, and act as the desk) is only for facilities on the sandbox provider; not on it: ${others.join(', ')}`);
    }
  }
  if (facilities.some((f) => rec(f.channels)?.sms !== undefined) && root.publicUrl === undefined) {
    add('publicUrl', 'required when SMS is configured (Twilio signs publicUrl + path)');
  }

  // secrets: long enough, and never the demo's public ones
  const token = (path: string, value: unknown, what: string) => {
    if (typeof value !== 'string' || value.length === 0) return; // missing or not a string: the schema says so
    if (value.length < MIN_TOKEN_CHARS) add(path, `too weak: ${what} must be at least ${MIN_TOKEN_CHARS} characters (this one has ${value.length})`);
  };
  const demoToken = (path: string, value: unknown) => {
    if (!opts.demo && value === DEMO_STAFF_TOKEN) add(path, "the built-in demo's staff token is public (src/config/demo.ts): choose your own");
  };
  list(root.staffTokens).forEach((t, i) => {
    token(`staffTokens[${i}]`, t, 'a staff token');
    demoToken(`staffTokens[${i}]`, t);
  });
  const facilityIds = new Set(facilities.map((f) => f.id));
  const seenTokens = new Set(list(root.staffTokens).filter((t): t is string => typeof t === 'string'));
  list(root.staff).forEach((s, i) => {
    const t = rec(s)?.token;
    token(`staff[${i}].token`, t, 'a staff token');
    demoToken(`staff[${i}].token`, t);
    if (typeof t === 'string' && seenTokens.has(t)) add(`staff[${i}].token`, 'the same token is given twice (in staff or staffTokens): each token names one holder');
    if (typeof t === 'string') seenTokens.add(t);
    const scoped = rec(s)?.facilities;
    if (Array.isArray(scoped)) scoped.forEach((id, j) => {
      if (typeof id === 'string' && !facilityIds.has(id)) add(`staff[${i}].facilities[${j}]`, `no facility "${id}" is configured`);
    });
  });
  facilities.forEach((f, i) => {
    const provider = rec(f.provider);
    if (provider) {
      // a sandbox's key guards only its seeded, made-up clinic
      if (!isSandboxProvider(provider.baseUrl)) token(at(i, 'provider', 'apiKey'), provider.apiKey, 'the provider API key');
      const secret = provider.webhookSecret;
      const key = typeof secret === 'string' ? decodeWebhookSecret(secret) : undefined; // undecodable: reported by the schema
      if (!opts.demo && secret === DEMO_WEBHOOK_SECRET) {
        add(at(i, 'provider', 'webhookSecret'), "the built-in demo's webhook secret is public (src/config/demo.ts): anyone could sign provider events; generate your own");
      } else if (key && key.length < MIN_WEBHOOK_SECRET_BYTES) {
        add(
          at(i, 'provider', 'webhookSecret'),
          `too weak: the key after whsec_ must be at least ${MIN_WEBHOOK_SECRET_BYTES} bytes once base64-decoded (this one has ${key.length}); ` +
            `e.g. node -e "console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))"`,
        );
      }
    }
    const channels = rec(f.channels);
    const messenger = rec(channels?.messenger);
    if (messenger) {
      token(at(i, 'channels', 'messenger', 'appSecret'), messenger.appSecret, 'the app secret');
      token(at(i, 'channels', 'messenger', 'pageAccessToken'), messenger.pageAccessToken, 'the page access token');
      token(at(i, 'channels', 'messenger', 'verifyToken'), messenger.verifyToken, 'the verify token');
    }
    token(at(i, 'channels', 'viber', 'authToken'), rec(channels?.viber)?.authToken, 'the auth token');
    token(at(i, 'channels', 'sms', 'authToken'), rec(channels?.sms)?.authToken, 'the auth token');
  });

  // secrets travel to these: HTTPS, or plain HTTP to this machine only
  const https = (path: string, value: unknown) => {
    if (typeof value !== 'string' || value === 'sandbox') return;
    const url = parseUrl(value);
    if (!url) return; // not a URL: the schema says so
    if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
    add(path, 'must be an https:// URL (plain http:// only to this machine: 127.0.0.0/8, localhost, [::1])');
  };
  const platforms = rec(root.platformApis);
  for (const name of ['messenger', 'viber', 'twilio']) https(`platformApis.${name}`, platforms?.[name]);
  facilities.forEach((f, i) => https(at(i, 'provider', 'baseUrl'), rec(f.provider)?.baseUrl));

  return problems;
}

/** 127.0.0.0/8, localhost and [::1] (as WHATWG URL spells hostnames). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The sandbox provider: mounted in this server (`"sandbox"`), or the standalone one
 * (`npx frontdesk sandbox`) on this machine, at `http://127.0.0.1:PORT/sandbox/<facility>/api/v1`.
 */
export function isSandboxProvider(baseUrl: unknown): boolean {
  if (baseUrl === 'sandbox') return true;
  const url = typeof baseUrl === 'string' ? parseUrl(baseUrl) : undefined;
  return !!url && (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname) && /^\/sandbox\/[a-z0-9][a-z0-9-]*\/api\/v1\/?$/.test(url.pathname);
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

const rec = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
