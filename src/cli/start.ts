import { createFrontdesk } from '../app.js';
import { configOrExit } from './main.js';

/** `npx frontdesk start` / `npm start`: serve until SIGINT or SIGTERM, then shut down gracefully. */
export async function startCommand(_argv: string[]): Promise<number> {
  const config = configOrExit();
  if (!config) return 1;
  let fd;
  try {
    fd = await createFrontdesk({ config });
  } catch (e) {
    console.error(`frontdesk: cannot start: ${(e as Error).message}`);
    return 1;
  }
  let url: string;
  try {
    url = await fd.listen();
  } catch (e) {
    console.error(`frontdesk: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await fd.close().catch(() => undefined);
    return 1;
  }
  const lines = [`frontdesk is running on ${url}`, `  health     ${url}/healthz  ${url}/readyz  ${url}/metrics`];
  if (config.dev) lines.push(`  dev chat   ${url}/dev`);
  if (config.sandbox) for (const f of config.facilities.filter((x) => x.provider.baseUrl === 'sandbox')) lines.push(`  sandbox    ${url}/sandbox/${f.id}/api/v1  (Basic ${f.provider.userId}:…)`);
  lines.push(`  webhooks   ${url}/webhooks/{messenger,viber/:facilityId,sms,sms/status,provider/:facilityId}`);
  lines.push(`  staff API  ${url}/staff/v1/broadcasts`);
  console.log(lines.join('\n'));

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`\n${signal}: shutting down`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const force = setTimeout(() => {
    console.error('frontdesk: shutdown took too long; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await fd.close();
  return 0;
}
