import { parseArgs } from 'node:util';
import { CHANNEL_MODULES } from '../../channels/index.js';
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

/** `npx frontdesk setup-webhooks`: every configured channel's setup (Viber's webhook, Messenger's get-started and menu, WhatsApp's checks). Dry-run unless --apply. */
export async function setupWebhooksCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { apply: { type: 'boolean', default: false }, facility: { type: 'string' } } });
  const config = configOrExit();
  if (!config) return 1;
  if (!config.publicUrl) {
    console.error('frontdesk setup-webhooks: publicUrl must be set in the config (the platforms call it)');
    return 2;
  }
  const calls: PlannedCall[] = [];
  const manual: string[] = [];
  const apis = config.platformApis as Record<string, string>;
  for (const f of config.facilities.filter((x) => !values.facility || x.id === values.facility)) {
    for (const m of CHANNEL_MODULES.filter((x) => x.setup && x.configured(f))) {
      const plan = m.setup!(f, config.publicUrl, apis[m.apiKey]!);
      for (const c of plan.calls) calls.push({ facilityId: f.id, ...c });
      for (const step of plan.manual ?? []) manual.push(`[${f.id}] ${m.name}: ${step}`);
    }
  }
  if (manual.length > 0) console.log(`to do by hand in the platforms' dashboards:\n${manual.map((x) => `  - ${x}`).join('\n')}\n`);
  if (calls.length === 0) {
    console.log('no facility has a channel with something to set up');
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
