import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Every command's options, in one place: the parser (parseCommand) and the help (usage) read the same
 * table, so an option cannot be accepted without being documented, or documented without being accepted.
 * This module is light on purpose: `help` and `<command> --help` never load the command itself.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** the value's placeholder in the help, e.g. ID */
  value?: string;
  /** one line, or several separated by \n */
  help: string;
}

export interface CommandSpec {
  name: string;
  /** one line for the command list */
  summary: string;
  /** what follows `npx frontdesk <name>`; one line, or several separated by \n */
  synopsis: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** environment, exit status…: printed after the options */
  notes?: string;
  /** options people try that this command takes another way: what to do instead */
  instead?: Readonly<Record<string, string>>;
}

const SERVER_URL = `the running frontdesk (default http://127.0.0.1:$PORT, else the config's "port": 3000 in the demo)`;

export const START = {
  name: 'start',
  summary: 'run the service (FRONTDESK_CONFIG=path, else the built-in demo, on 127.0.0.1 only)',
  synopsis: '',
  options: {},
  instead: { port: 'set PORT=N, or "port" in the config', host: 'set "host" in the config', config: 'set FRONTDESK_CONFIG=path' },
  notes: `Environment:
  FRONTDESK_CONFIG     the config file (JSON or YAML); without it, the built-in demo (public secrets, 127.0.0.1 only)
  PORT                 the port to listen on (overrides the config's "port")
  LOG_LEVEL            info (default), debug for every detail, warn, error or silent
  FRONTDESK_NAMESPACE  keeps deployments (or test runs) sharing one Redis/Postgres apart
Stops gracefully on SIGINT or SIGTERM.
Exit status: 0 after a graceful stop, 1 when it cannot start (bad config, port in use…).`,
} as const satisfies CommandSpec;

export const SANDBOX = {
  name: 'sandbox',
  summary: 'run the sandbox provider alone (demo facility demo-clinic, Basic demo-clinic:demo-api-key)',
  synopsis: '[--port N] [--host ADDRESS] [--webhook-url URL] [--state-file F]',
  options: {
    port: { type: 'string', default: '4010', value: 'N', help: 'the port to listen on (default 4010; 0 picks a free one). PORT is frontdesk\'s port and is not read here' },
    host: { type: 'string', default: '127.0.0.1', value: 'ADDRESS', help: 'the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)' },
    'webhook-url': { type: 'string', value: 'URL', help: "where demo-clinic's signed webhooks go, e.g. http://127.0.0.1:3000/webhooks/provider/demo-clinic\n(none are sent without it)" },
    'state-file': { type: 'string', value: 'F', help: "keep the clinic's bookings in this JSON file across restarts" },
  },
  notes: `Serves until SIGINT or SIGTERM.
Exit status: 0 after a stop, 1 when it cannot listen (port in use…), 2 on bad arguments.`,
} as const satisfies CommandSpec;

export const BROADCAST = {
  name: 'broadcast',
  summary: "send a reminder or a staff message to a day's patients, through the running server's staff API",
  synopsis: '--facility ID --date YYYY-MM-DD [--calendar ID] [--message TEXT] [--dry-run] [--url URL] [--token T]',
  options: {
    facility: { type: 'string', value: 'ID', help: 'the facility (required)' },
    date: { type: 'string', value: 'YYYY-MM-DD', help: "the day whose patients get it (required), in the facility's time zone" },
    calendar: { type: 'string', value: 'ID', help: "only this calendar's patients" },
    message: { type: 'string', value: 'TEXT', help: 'send this staff message instead of the appointment reminder' },
    'dry-run': { type: 'boolean', default: false, help: 'count the recipients per channel; send nothing' },
    url: { type: 'string', value: 'URL', help: SERVER_URL },
    token: { type: 'string', value: 'T', help: 'the staff token; prefer FRONTDESK_STAFF_TOKEN: a command line is visible to every user\nof the machine (ps, shell history), so this prints a warning' },
  },
  notes: `Environment: FRONTDESK_STAFF_TOKEN (else the config's first staff token), FRONTDESK_CONFIG, PORT.
Exit status: 0 when done, 1 when it failed or the server cannot be reached, 2 on bad arguments.`,
} as const satisfies CommandSpec;

export const SYNC_CALENDARS = {
  name: 'sync-calendars',
  summary: "fetch and store every facility's calendars now (the server also does it at start and every calendarSyncMinutes)",
  synopsis: '[--facility ID] [--url URL]',
  options: {
    facility: { type: 'string', value: 'ID', help: 'only this facility (default: every facility in the config)' },
    url: { type: 'string', value: 'URL', help: `${SERVER_URL};\nfacilities whose provider baseUrl is "sandbox" are served by its sandbox` },
  },
  notes: `Environment: FRONTDESK_CONFIG (else the built-in demo), PORT.
Exit status: 0 when every facility synced, 1 when one failed or could not be reached, 2 on bad arguments.`,
} as const satisfies CommandSpec;

export const CONFORMANCE = {
  name: 'conformance',
  summary: "check a provider's API (and its webhooks) against the contract; prints a pass/fail table",
  synopsis: `(--facility ID [--url URL] | --base-url URL --user U --key K [--timezone TZ])
    [--write] [--webhooks] [--webhook-secret whsec_…] [--webhook-port N] [--webhook-public-url URL] [--wait-ms N] [--json]`,
  options: {
    facility: { type: 'string', value: 'ID', help: "take the provider's base URL, credentials, zone and webhook secret from the config\n(FRONTDESK_CONFIG, else the demo); baseUrl \"sandbox\" means the sandbox of the frontdesk at --url" },
    url: { type: 'string', value: 'URL', help: `with --facility: ${SERVER_URL}` },
    'base-url': { type: 'string', value: 'URL', help: "the provider's API base URL (instead of --facility)" },
    user: { type: 'string', value: 'U', help: 'the provider USER_ID (with --base-url)' },
    key: { type: 'string', value: 'K', help: 'the provider API_KEY (with --base-url)' },
    timezone: { type: 'string', value: 'TZ', help: "the facility's IANA time zone (default Asia/Manila, or the config's with --facility)" },
    write: { type: 'boolean', default: false, help: 'also book, move, confirm and cancel a test appointment (it books on the real system)' },
    webhooks: { type: 'boolean', default: false, help: 'start a webhook receiver and check the deliveries (implied by the webhook options below)' },
    'webhook-secret': { type: 'string', value: 'whsec_…', help: "the secret the provider signs its webhooks with (default: the config's, with --facility)" },
    'webhook-port': { type: 'string', value: 'N', help: 'the port the webhook receiver listens on (default: a free one)' },
    'webhook-public-url': { type: 'string', value: 'URL', help: "the receiver's URL as the provider reaches it (a tunnel…), when not this machine's" },
    'wait-ms': { type: 'string', value: 'N', help: 'how long to wait for webhooks after the other checks (default 10000)' },
    json: { type: 'boolean', default: false, help: 'print the results as JSON on stdout (notes go to stderr)' },
  },
  notes: `Environment: FRONTDESK_CONFIG (with --facility; else the built-in demo), PORT.
Exit status: 0 when no check failed, 1 when one did or the provider cannot be reached, 2 on bad arguments or configuration.`,
} as const satisfies CommandSpec;

export const SETUP_WEBHOOKS = {
  name: 'setup-webhooks',
  summary: "register the Viber webhook and Messenger's get-started button and menu for every facility (a dry run unless --apply)",
  synopsis: '[--apply] [--facility ID]',
  options: {
    apply: { type: 'boolean', default: false, help: 'make the calls (without it, print what would be sent and send nothing)' },
    facility: { type: 'string', value: 'ID', help: 'only this facility (default: every facility in the config)' },
  },
  notes: `Calls the platforms at the config's platformApis for the config's publicUrl (it does not call the running server).
Environment: FRONTDESK_CONFIG.
Exit status: 0 when every call succeeded (or a dry run), 1 when one failed, 2 on bad arguments or configuration.`,
} as const satisfies CommandSpec;

export const HELP = {
  name: 'help',
  summary: "this list, or a command's options",
  synopsis: '[command]',
  options: {},
} as const satisfies CommandSpec;

export const COMMANDS: readonly CommandSpec[] = [START, SANDBOX, BROADCAST, SYNC_CALENDARS, CONFORMANCE, SETUP_WEBHOOKS, HELP];

export const findCommand = (name: string): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);

const indent = (text: string, by: string) => text.split('\n').join(`\n${by}`);

/** `npx frontdesk <command> --help` */
export function usage(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, o.help] as const);
  flags.push(['-h, --help', 'print this help']);
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  const lines = [`Usage: npx frontdesk ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ''}`, '', `  ${spec.summary}`, '', 'Options:'];
  for (const [flag, help] of flags) lines.push(`  ${flag.padEnd(width)}${indent(help, ' '.repeat(width + 2))}`);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n');
}

/** `npx frontdesk help` */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "frontdesk — hospital appointment conversations over Messenger, Viber and SMS",
    '',
    'Usage: npx frontdesk <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.flatMap((c) => [`  ${c.name.padEnd(width)}${c.summary}`, ...(c.synopsis ? [`  ${' '.repeat(width)}${indent(c.synopsis, ' '.repeat(width + 2))}`] : [])]),
    '',
    "`npx frontdesk help <command>` (or `npx frontdesk <command> --help`) lists a command's options.",
    'Commands that call the running server take --url; without it they use http://127.0.0.1:$PORT (else the config\'s port).',
    'A failure prints one line and exits non-zero; FRONTDESK_DEBUG=1 adds the stack trace of an unexpected error.',
  ].join('\n');
}

/** Whether the arguments ask for help (before a `--`, after which everything is a value). */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known name closest to a mistyped one, when one is close. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: k.startsWith(name) || name.startsWith(k) ? 1 : editDistance(name, k) })).sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= (name.length >= 4 ? 2 : 1) ? scored[0].k : undefined;
}

/** One line for an argument parseArgs refused: its own first sentence, a guess, and where the options are listed. */
function argumentProblem(spec: CommandSpec, e: Error): string {
  const first = e.message.split(/\.\s/)[0]!.replace(/\.$/, '');
  const unknown = /^Unknown option '-{1,2}([^']+)'/.exec(first)?.[1];
  const name = unknown?.replace(/=.*$/, '');
  const guess = name === undefined ? undefined : nearest(name, [...Object.keys(spec.options), ...Object.keys(spec.instead ?? {})]);
  const instead = guess === undefined ? undefined : spec.instead?.[guess];
  const aside = instead ? ` (${guess === name ? '' : `did you mean --${guess}? `}${instead})` : guess ? ` (did you mean --${guess}?)` : '';
  return `frontdesk ${spec.name}: ${first}${aside}; \`npx frontdesk help ${spec.name}\` lists its options`;
}

type ParsedValues<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/** The command's options, or undefined after one line on stderr saying what is wrong (the caller exits 2). */
export function parseCommand<S extends CommandSpec>(spec: S, argv: string[]): ParsedValues<S['options']> | undefined {
  try {
    return parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: false }).values as ParsedValues<S['options']>;
  } catch (e) {
    if (!(e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw e;
    console.error(argumentProblem(spec, e as Error));
    return undefined;
  }
}

/** An http(s) URL, else undefined after one line on stderr. */
export function httpUrl(command: string, option: string, raw: string): string | undefined {
  try {
    if (['http:', 'https:'].includes(new URL(raw).protocol)) return raw.replace(/\/+$/, '');
  } catch {
    // not a URL at all: said below
  }
  console.error(`frontdesk ${command}: --${option} must be an http(s) URL such as http://127.0.0.1:3000 (got "${raw}")`);
  return undefined;
}

/** The running server: --url, else this machine on PORT (already in config.port when set), else the config's port. */
export const serverUrl = (url: string | undefined, config: { port: number }): string => (url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
