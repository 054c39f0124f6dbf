import { parseUrl } from './input.js';

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
