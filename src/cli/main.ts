import { loadConfig, type ConfigProblem } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { COMMANDS, HELP, findCommand, nearest, overview, usage, wantsHelp } from './commands.js';
import { oneLine } from './net.js';

export function printProblems(problems: ConfigProblem[]): void {
  console.error('frontdesk: the configuration is not valid:');
  for (const p of problems) console.error(`  - ${p.path}: ${p.message}`);
}

export function configOrExit(): Config | undefined {
  const r = loadConfig(process.env);
  if (!r.ok) {
    printProblems(r.error);
    return undefined;
  }
  return r.value;
}

/** One line for a name that is not a command, with a guess when one is close. */
function unknownCommand(name: string): number {
  const names = COMMANDS.map((c) => c.name);
  const guess = nearest(name, names);
  console.error(`frontdesk: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; the commands are ${names.join(', ')} (\`npx frontdesk help\`)`);
  return 2;
}

async function run(command: string, argv: string[]): Promise<number> {
  switch (command) {
    case 'start':
      return (await import('./start.js')).startCommand(argv);
    case 'sandbox':
      return (await import('./sandbox.js')).sandboxCommand(argv);
    case 'broadcast':
      return (await import('./broadcast.js')).broadcastCommand(argv);
    case 'sync-calendars':
      return (await import('./sync-calendars.js')).syncCalendarsCommand(argv);
    case 'conformance':
      return (await import('./conformance.js')).conformanceCommand(argv);
    case 'setup-webhooks':
      return (await import('./setup-webhooks.js')).setupWebhooksCommand(argv);
    default:
      return unknownCommand(command);
  }
}

function help(argv: string[]): number {
  const [topic] = argv.filter((a) => a !== '--help' && a !== '-h');
  if (topic === undefined) {
    // `help --help` is help about `help`
    console.log(wantsHelp(argv) ? usage(HELP) : overview());
    return 0;
  }
  const spec = findCommand(topic);
  if (!spec) return unknownCommand(topic);
  console.log(usage(spec));
  return 0;
}

/** `npx frontdesk <command> [options]`: the exit code; a failure is one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return help(rest);
  const spec = findCommand(command);
  if (!spec) return unknownCommand(command);
  if (wantsHelp(rest)) {
    console.log(usage(spec));
    return 0;
  }
  try {
    return await run(command, rest);
  } catch (e) {
    // the commands say what went wrong themselves; this is for what none of them foresaw
    console.error(`frontdesk ${command}: ${oneLine(e)}${process.env.FRONTDESK_DEBUG ? '' : ' (FRONTDESK_DEBUG=1 shows where)'}`);
    if (process.env.FRONTDESK_DEBUG) console.error(e);
    return 1;
  }
}
