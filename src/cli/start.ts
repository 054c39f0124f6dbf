import { CHANNEL_MODULES } from '../../channels/index.js';
import { demoBannerLines } from '../dev/index.js';
import { createFrontdesk } from '../app.js';
import { START, parseCommand } from './commands.js';
import { configOrExit } from './main.js';
import { cannotListen, oneLine } from './net.js';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** `npx frontdesk start` / `npm start`: serve until SIGINT or SIGTERM, then shut down gracefully. */
export async function startCommand(argv: string[]): Promise<number> {
  if (!parseCommand(START, argv)) return 2;
  const config = configOrExit();
  if (!config) return 1;
  if (!process.env.FRONTDESK_CONFIG) {
    console.error(
      'frontdesk: warning: no FRONTDESK_CONFIG, so this is the built-in DEMO: its staff token and webhook secret are public,\n' +
        '  anyone reaching the dev chat can act as any patient, and it serves only this machine (127.0.0.1).\n' +
        '  For real use, write a config file (README, "Configuration") and set FRONTDESK_CONFIG.',
    );
  }
  // listening for SIGINT/SIGTERM before anything starts: a stop during start-up is a graceful one too
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`\n${signal}: shutting down`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  let fd;
  try {
    // FRONTDESK_NAMESPACE: several deployments (or test runs) sharing one Redis/Postgres keep apart
    const namespace = process.env.FRONTDESK_NAMESPACE;
    fd = await createFrontdesk({ config, ...(namespace ? { namespace } : {}) });
  } catch (e) {
    console.error(`frontdesk start: cannot start: ${oneLine(e)}`);
    return 1;
  }
  let url: string;
  try {
    url = await fd.listen();
  } catch (e) {
    const reason = cannotListen(e);
    const hint = reason === 'address already in use' ? ' — is another frontdesk or server on that port? set PORT (or the config\'s "port")' : '';
    const where = config.host.includes(':') ? `[${config.host}]:${config.port}` : `${config.host}:${config.port}`;
    console.error(`frontdesk start: cannot listen on ${where} (${reason})${hint}`);
    await fd.close().catch(() => undefined);
    return 1;
  }
  const port = new URL(url).port || '80';
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const everywhere = config.host === '0.0.0.0' || config.host === '::';
  const lines = [
    `frontdesk is running on ${url}`,
    `  bound to   ${shownHost}:${port}  (${everywhere ? 'every network interface: reachable from other machines' : isLoopback(config.host) ? 'this machine only' : 'this address only'})`,
    `  health     ${url}/healthz  ${url}/readyz  ${url}/metrics`,
  ];
  if (config.dev) lines.push(`  dev chat   ${url}/dev`);
  if (config.sandbox) for (const f of config.facilities.filter((x) => x.provider.baseUrl === 'sandbox')) lines.push(`  sandbox    ${url}/sandbox/${f.id}/api/v1  (Basic ${f.provider.userId}:…)`);
  const channelPaths = CHANNEL_MODULES.filter((m) => config.facilities.some((f) => m.configured(f))).flatMap((m) => m.routePaths.map((p) => p.replace(/^\/webhooks\//, '')));
  lines.push(`  webhooks   ${url}/webhooks/{${[...new Set(channelPaths), 'provider/:facilityId'].join(',')}}`);
  lines.push(`  staff API  ${url}/staff/v1/  (tickets, broadcasts, facilities/:id/appointments, audit)`);
  lines.push(...demoBannerLines(config, url));
  console.log(lines.join('\n'));

  await stopped;
  const force = setTimeout(() => {
    console.error('frontdesk: shutdown took too long; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await fd.close();
  return 0;
}
