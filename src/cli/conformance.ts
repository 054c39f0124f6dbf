import { parseArgs } from 'node:util';
import { IANAZone } from 'luxon';
import { loadConfig } from '../config/load.js';
import { verifierFor } from '../conformance/receiver.js';
import { runConformance } from '../conformance/run.js';
import { formatTable } from '../conformance/table.js';
import type { ConformanceOptions } from '../conformance/types.js';

const USAGE = `Usage: npx frontdesk conformance (--facility ID [--url http://127.0.0.1:3000] | --base-url URL --user U --key K [--timezone Asia/Manila])
         [--write] [--webhooks] [--webhook-secret whsec_…] [--webhook-port N] [--webhook-public-url URL] [--wait-ms N] [--json]

  --facility ID        take the provider's base URL, credentials, zone and webhook secret from the config
                       (FRONTDESK_CONFIG, else the demo); baseUrl "sandbox" means the sandbox in the
                       frontdesk running at --url
  --write              also book, move, confirm and cancel a test appointment (it books on the real system)
  --webhooks           start a webhook receiver and check the deliveries (implied by --webhook-secret)
  --wait-ms N          how long to wait for webhooks after the other checks (default 10000)
  --json               print the results as JSON
Exit code: 0 when no check failed, 1 when one did, 2 on bad arguments or configuration.`;

const OPTIONS = {
  facility: { type: 'string' },
  url: { type: 'string', default: 'http://127.0.0.1:3000' },
  'base-url': { type: 'string' },
  user: { type: 'string' },
  key: { type: 'string' },
  timezone: { type: 'string' },
  write: { type: 'boolean', default: false },
  webhooks: { type: 'boolean', default: false },
  'webhook-secret': { type: 'string' },
  'webhook-port': { type: 'string' },
  'webhook-public-url': { type: 'string' },
  'wait-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const isUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};

function integer(raw: string | undefined, name: string, max: number, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > max) {
    problems.push(`--${name} must be a whole number from 0 to ${max}`);
    return undefined;
  }
  return n;
}

function badArguments(problems: string[]): number {
  for (const p of problems) console.error(`frontdesk conformance: ${p}`);
  console.error(`\n${USAGE}`);
  return 2;
}

type Target = Pick<ConformanceOptions, 'baseUrl' | 'userId' | 'apiKey' | 'timezone' | 'defaultAppointmentType'> & { webhookSecret?: string };

/** The provider named by --facility in the loaded config; undefined (after printing why) when it cannot be. */
function fromConfig(facilityId: string, url: string): Target | undefined {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error('frontdesk conformance: the configuration is not valid:');
    for (const p of loaded.error) console.error(`  - ${p.path}: ${p.message}`);
    return undefined;
  }
  const facility = loaded.value.facilities.find((f) => f.id === facilityId);
  if (!facility) {
    console.error(`frontdesk conformance: no facility "${facilityId}" in the configuration (known: ${loaded.value.facilities.map((f) => f.id).join(', ')})`);
    return undefined;
  }
  const p = facility.provider;
  return {
    baseUrl: p.baseUrl === 'sandbox' ? `${url.replace(/\/+$/, '')}/sandbox/${facility.id}/api/v1` : p.baseUrl,
    userId: p.userId,
    apiKey: p.apiKey,
    timezone: facility.timezone,
    webhookSecret: p.webhookSecret,
    ...(p.defaultAppointmentType ? { defaultAppointmentType: p.defaultAppointmentType } : {}),
  };
}

export async function conformanceCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    return badArguments([(e as Error).message]);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const problems: string[] = [];
  const direct = [values['base-url'], values.user, values.key];
  if (values.facility && direct.some((v) => v !== undefined)) problems.push('use either --facility or --base-url/--user/--key, not both');
  if (!values.facility) {
    if (values['base-url'] === undefined) problems.push('--base-url is required (or --facility ID)');
    else if (!isUrl(values['base-url'])) problems.push('--base-url must be an http(s) URL');
    if (!values.user) problems.push('--user is required (the provider USER_ID)');
    if (!values.key) problems.push('--key is required (the provider API_KEY)');
  }
  if (!isUrl(values.url)) problems.push('--url must be an http(s) URL');
  if (values.timezone !== undefined && !IANAZone.isValidZone(values.timezone)) problems.push('--timezone must be an IANA time zone such as Asia/Manila');
  if (values['webhook-public-url'] !== undefined && !isUrl(values['webhook-public-url'])) problems.push('--webhook-public-url must be an http(s) URL');
  const port = integer(values['webhook-port'], 'webhook-port', 65535, problems);
  const waitMs = integer(values['wait-ms'], 'wait-ms', 600_000, problems);
  if (problems.length) return badArguments(problems);

  let target: Target | undefined;
  if (values.facility) {
    target = fromConfig(values.facility, values.url);
    if (!target) return 2;
    if (values.timezone) target.timezone = values.timezone;
  } else {
    target = { baseUrl: values['base-url']!, userId: values.user!, apiKey: values.key!, timezone: values.timezone ?? 'Asia/Manila' };
  }

  const wantsWebhooks = values.webhooks || values['webhook-secret'] !== undefined || port !== undefined || values['webhook-public-url'] !== undefined;
  const secret = values['webhook-secret'] ?? target.webhookSecret;
  if (wantsWebhooks) {
    if (!secret) return badArguments(['--webhook-secret whsec_… is required to check webhooks']);
    try {
      verifierFor(secret);
    } catch {
      return badArguments(['--webhook-secret must look like whsec_<base64>']);
    }
  }

  // with --json, stdout carries only the JSON
  const note = (line: string) => (values.json ? console.error(line) : console.log(line));
  note(`checking ${target.baseUrl}${values.write ? ' (with --write: a test appointment will be booked and cancelled)' : ''}`);

  const results = await runConformance({
    baseUrl: target.baseUrl,
    userId: target.userId,
    apiKey: target.apiKey,
    timezone: target.timezone,
    write: values.write,
    ...(target.defaultAppointmentType ? { defaultAppointmentType: target.defaultAppointmentType } : {}),
    ...(wantsWebhooks && secret
      ? {
          webhook: {
            secret,
            ...(port !== undefined ? { listenPort: port } : {}),
            ...(values['webhook-public-url'] ? { publicUrl: values['webhook-public-url'] } : {}),
            ...(waitMs !== undefined ? { waitMs } : {}),
            onReceiverReady: (url: string) => note(`webhook receiver listening: the provider must POST its webhooks to ${url}`),
          },
        }
      : {}),
  });

  if (values.json) console.log(JSON.stringify(results, null, 2));
  else console.log(`\n${formatTable(results)}`);
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
