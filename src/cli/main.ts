import { parseArgs } from 'node:util';
import { loadConfig, type ConfigProblem } from '../config/load.js';
import type { Config } from '../config/schema.js';

const HELP = `frontdesk — hospital appointment conversations over Messenger, Viber and SMS

Usage: npx frontdesk <command> [options]

Commands:
  start              run the service (FRONTDESK_CONFIG=path, else the built-in demo, on 127.0.0.1 only)
  sandbox            run the sandbox provider alone          [--port 4010]
  broadcast          send a reminder or a staff message to a day's patients
                     --facility ID --date YYYY-MM-DD [--calendar ID] [--message TEXT] [--dry-run]
                     [--url http://127.0.0.1:3000]   the staff token comes from FRONTDESK_STAFF_TOKEN
                     (--token T still works, with a warning: argv is visible to other users)
  sync-calendars     fetch and store every facility's calendars now   [--facility ID]
  conformance        check a provider's API and webhooks against the contract
                     --facility ID (from the config) | --base-url URL --user U --key K
                     [--write (also book, reschedule, confirm and cancel a test appointment)]
                     [--webhooks | --webhook-secret whsec_… [--webhook-port N] [--wait-ms N]] [--json]
  setup-webhooks     register the Viber webhook and Messenger get-started/menu  [--apply]
  help               this text
`;

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

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start': {
        const { startCommand } = await import('./start.js');
        return await startCommand(rest);
      }
      case 'sandbox': {
        const { sandboxCommand } = await import('./sandbox.js');
        return await sandboxCommand(rest);
      }
      case 'broadcast': {
        const { broadcastCommand } = await import('./broadcast.js');
        return await broadcastCommand(rest);
      }
      case 'sync-calendars': {
        const { syncCalendarsCommand } = await import('./sync-calendars.js');
        return await syncCalendarsCommand(rest);
      }
      case 'conformance': {
        const { conformanceCommand } = await import('./conformance.js');
        return await conformanceCommand(rest);
      }
      case 'setup-webhooks': {
        const { setupWebhooksCommand } = await import('./setup-webhooks.js');
        return await setupWebhooksCommand(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        console.error(`frontdesk: unknown command "${command}"\n`);
        console.log(HELP);
        return 2;
    }
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`frontdesk ${command}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}

export { parseArgs };
