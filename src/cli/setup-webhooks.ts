import { parseArgs } from 'node:util';
import { messengerSetupPlan } from '../../channels/messenger/index.js';
import { viberSetupPlan } from '../../channels/viber/index.js';
import { configOrExit } from './main.js';

interface PlannedCall {
  facilityId: string;
  description: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Tokens travel in URLs and headers: never print them. */
const maskUrl = (u: string) => u.replace(/(access_token=)[^&]+/, '$1…');

/** `npx frontdesk setup-webhooks`: registers the Viber webhook and Messenger's get-started and menu. Dry-run unless --apply. */
export async function setupWebhooksCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { apply: { type: 'boolean', default: false }, facility: { type: 'string' } } });
  const config = configOrExit();
  if (!config) return 1;
  if (!config.publicUrl) {
    console.error('frontdesk setup-webhooks: publicUrl must be set in the config (the platforms call it)');
    return 2;
  }
  const calls: PlannedCall[] = [];
  for (const f of config.facilities.filter((x) => !values.facility || x.id === values.facility)) {
    for (const r of f.channels.messenger ? messengerSetupPlan(f, config.publicUrl, config.platformApis.messenger) : []) {
      calls.push({ facilityId: f.id, description: r.description, method: r.method, url: r.url, headers: r.headers, body: r.body });
    }
    const v = viberSetupPlan(f, config.publicUrl, config.platformApis.viber);
    if (v) calls.push({ facilityId: f.id, description: 'Viber set_webhook', method: v.method, url: v.url, headers: v.headers, body: v.body });
  }
  if (calls.length === 0) {
    console.log('no facility has Messenger or Viber configured: nothing to set up');
    return 0;
  }
  let failed = 0;
  for (const c of calls) {
    console.log(`${values.apply ? '→' : '(dry run)'} [${c.facilityId}] ${c.description}\n    ${c.method} ${maskUrl(c.url)}\n    ${JSON.stringify(c.body)}`);
    if (!values.apply) continue;
    const res = await fetch(c.url, { method: c.method, headers: { 'content-type': 'application/json', ...c.headers }, body: c.body === undefined ? undefined : JSON.stringify(c.body) }).catch((e: Error) => e);
    if (res instanceof Error) {
      failed += 1;
      console.log(`    failed: ${res.message}`);
      continue;
    }
    const text = await res.text();
    const okViber = !/"status"\s*:\s*[1-9]/.test(text);
    if (!res.ok || !okViber) failed += 1;
    console.log(`    ${res.status}: ${text.slice(0, 300)}`);
  }
  if (!values.apply) console.log('\nnothing was sent; run again with --apply to register');
  return failed > 0 ? 1 : 0;
}
