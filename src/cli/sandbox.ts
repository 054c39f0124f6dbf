import { runSandbox } from '../sandbox/standalone.js';
import { SANDBOX, httpUrl, parseCommand } from './commands.js';
import { cannotListen } from './net.js';

/** `npx frontdesk sandbox`: the sandbox provider alone, e.g. to point a real frontdesk config at it. */
export async function sandboxCommand(argv: string[]): Promise<number> {
  const values = parseCommand(SANDBOX, argv);
  if (!values) return 2;
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    console.error(`frontdesk sandbox: --port must be a port number from 0 to 65535 (got "${values.port}")`);
    return 2;
  }
  const webhookUrl = values['webhook-url'] === undefined ? undefined : httpUrl('sandbox', 'webhook-url', values['webhook-url']);
  if (values['webhook-url'] !== undefined && !webhookUrl) return 2;
  let s;
  try {
    s = await runSandbox({ port, host: values.host, ...(webhookUrl ? { webhookUrl } : {}), ...(values['state-file'] ? { stateFile: values['state-file'] } : {}) });
  } catch (e) {
    const reason = cannotListen(e);
    const hint = reason === 'address already in use' ? ' — is another sandbox or server on that port? use --port' : '';
    const where = values.host.includes(':') ? `[${values.host}]:${port}` : `${values.host}:${port}`;
    console.error(`frontdesk sandbox: cannot listen on ${where} (${reason})${hint}`);
    return 1;
  }
  console.log(`sandbox provider on ${s.url}\n  API    ${s.url}/sandbox/demo-clinic/api/v1   (Basic demo-clinic:demo-api-key)\n  staff  ${s.url}/sandbox/demo-clinic/staff`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await s.close();
  return 0;
}
