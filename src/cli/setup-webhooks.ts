import { CHANNEL_MODULES } from '../../channels/index.js';
import { SETUP_WEBHOOKS, parseCommand } from './commands.js';
import { configOrExit } from './main.js';
import { request } from './net.js';

/** a platform's API that does not answer in this long is reported as such */
const PLATFORM_TIMEOUT_MS = 30_000;

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
  const values = parseCommand(SETUP_WEBHOOKS, argv);
  if (!values) return 2;
  const config = configOrExit();
  if (!config) return 1;
  if (values.facility !== undefined && !config.facilities.some((f) => f.id === values.facility)) {
    console.error(`frontdesk setup-webhooks: no facility "${values.facility}" in the configuration (known: ${config.facilities.map((f) => f.id).join(', ')})`);
    return 2;
  }
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
    const a = await request(c.url, { method: c.method, headers: { 'content-type': 'application/json', ...c.headers }, ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }) }, PLATFORM_TIMEOUT_MS);
    if (!a.ok) {
      failed += 1;
      console.log(`    failed: cannot reach ${new URL(c.url).origin} (${a.reason})`);
      continue;
    }
    const res = a.res;
    const text = await res.text().catch((e: Error) => `(the answer was cut short: ${e.message})`);
    const okViber = !/"status"\s*:\s*[1-9]/.test(text);
    if (!res.ok || !okViber) failed += 1;
    console.log(`    ${res.status}: ${text.slice(0, 300)}`);
  }
  if (!values.apply) console.log('\nnothing was sent; run again with --apply to register');
  return failed > 0 ? 1 : 0;
}
