import { IANAZone } from 'luxon';
import { loadConfig } from '../config/load.js';
import { verifierFor } from '../conformance/receiver.js';
import { runConformance } from '../conformance/run.js';
import { formatTable } from '../conformance/table.js';
import type { ConformanceOptions } from '../conformance/types.js';
import { CONFORMANCE, parseCommand, serverUrl } from './commands.js';
import { cannotReach, hintFor, unreachable } from './net.js';

/** the provider's requests time out after this in runConformance (src/conformance/run.ts): the reachability probe waits as long */
const PROBE_TIMEOUT_MS = 15_000;

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
  console.error('`npx frontdesk help conformance` lists the options');
  return 2;
}

type Target = Pick<ConformanceOptions, 'baseUrl' | 'userId' | 'apiKey' | 'timezone' | 'defaultAppointmentType'> & {
  webhookSecret?: string;
  /** the running frontdesk whose sandbox serves the facility (baseUrl "sandbox"), when it is one */
  server?: string;
};

/** The provider named by --facility in the loaded config; undefined (after printing why) when it cannot be. */
function fromConfig(facilityId: string, url: string | undefined): Target | undefined {
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
  const server = p.baseUrl === 'sandbox' ? serverUrl(url, loaded.value) : undefined;
  return {
    baseUrl: server ? `${server}/sandbox/${facility.id}/api/v1` : p.baseUrl,
    ...(server ? { server } : {}),
    userId: p.userId,
    apiKey: p.apiKey,
    timezone: facility.timezone,
    webhookSecret: p.webhookSecret,
    ...(p.defaultAppointmentType ? { defaultAppointmentType: p.defaultAppointmentType } : {}),
  };
}

export async function conformanceCommand(argv: string[]): Promise<number> {
  const values = parseCommand(CONFORMANCE, argv);
  if (!values) return 2;

  const problems: string[] = [];
  const direct = [values['base-url'], values.user, values.key];
  if (values.facility && direct.some((v) => v !== undefined)) problems.push('use either --facility or --base-url/--user/--key, not both');
  if (!values.facility) {
    if (values['base-url'] === undefined) problems.push('--base-url is required (or --facility ID)');
    else if (!isUrl(values['base-url'])) problems.push('--base-url must be an http(s) URL');
    if (!values.user) problems.push('--user is required (the provider USER_ID)');
    if (!values.key) problems.push('--key is required (the provider API_KEY)');
  }
  if (values.url !== undefined && !isUrl(values.url)) problems.push('--url must be an http(s) URL');
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

  // nothing listening there: one line, not a table of checks that all failed the same way
  const why = await unreachable(target.server ?? target.baseUrl, PROBE_TIMEOUT_MS);
  if (why) {
    const where = target.server ? '--url' : values.facility ? `facility ${values.facility}'s provider.baseUrl` : '--base-url';
    console.error(cannotReach('conformance', target.server ?? target.baseUrl, why, hintFor(why, where)));
    return 1;
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
