import { facilityPath, parseUrl, rec, type ConfigInput, type Report } from './input.js';
import { isLoopbackHost } from './urls.js';

function requireHttps(add: Report, path: string, value: unknown): void {
  if (typeof value !== 'string' || value === 'sandbox') return;
  const url = parseUrl(value);
  if (!url) return; // not a URL: the schema says so
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
  add(path, 'must be an https:// URL (plain http:// only to this machine: 127.0.0.0/8, localhost, [::1])');
}

/** Secrets travel to these: HTTPS, or plain HTTP to this machine only. */
export function httpsRules({ root, facilities }: ConfigInput, add: Report): void {
  const platforms = rec(root.platformApis);
  for (const name of Object.keys(platforms ?? {})) requireHttps(add, `platformApis.${name}`, platforms?.[name]);
  facilities.forEach((f, i) => requireHttps(add, facilityPath(i, 'provider', 'baseUrl'), rec(f.provider)?.baseUrl));
}
