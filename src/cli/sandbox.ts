import { parseArgs } from 'node:util';
import { runSandbox } from '../sandbox/standalone.js';

/** `npx frontdesk sandbox`: the sandbox provider alone, e.g. to point a real frontdesk config at it. */
export async function sandboxCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '4010' }, host: { type: 'string', default: '127.0.0.1' }, 'webhook-url': { type: 'string' }, 'state-file': { type: 'string' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('frontdesk sandbox: --port must be a port number');
    return 2;
  }
  const s = await runSandbox({ port, host: values.host, ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}), ...(values['state-file'] ? { stateFile: values['state-file'] } : {}) });
  console.log(`sandbox provider on ${s.url}\n  API    ${s.url}/sandbox/demo-clinic/api/v1   (Basic demo-clinic:demo-api-key)\n  staff  ${s.url}/sandbox/demo-clinic/staff`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await s.close();
  return 0;
}
