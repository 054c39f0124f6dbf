import type { AddressInfo } from 'node:net';
import { createSandbox, type SandboxOptions } from './index.js';

/** The demo facility `npx frontdesk sandbox` serves (and the built-in demo config points at). */
export const DEMO_FACILITY = {
  id: 'demo-clinic',
  timezone: 'Asia/Manila',
  userId: 'demo-clinic',
  apiKey: 'demo-api-key',
} as const;

/** A fixed, public secret: the demo's webhooks are signed with it so a local bot can verify them. */
export const DEMO_WEBHOOK_SECRET = 'whsec_ZnJvbnRkZXNrLXNhbmRib3gtZGVtby1zZWNyZXQ=';

export interface RunSandboxOptions {
  port: number;
  host?: string;
  /** where demo-clinic's webhooks go (e.g. http://127.0.0.1:3000/webhooks/provider/demo-clinic) */
  webhookUrl?: string;
  logger?: SandboxOptions['logger'];
  /** keep the demo clinic's bookings across restarts in this JSON file (see SandboxOptions.stateFile) */
  stateFile?: string;
}

/** Serves the sandbox alone; the base URL of the demo facility's API is `${url}/sandbox/demo-clinic/api/v1`. */
export async function runSandbox(opts: RunSandboxOptions): Promise<{ url: string; close(): Promise<void> }> {
  const sandbox = createSandbox({
    facilities: [{ ...DEMO_FACILITY, ...(opts.webhookUrl ? { webhook: { url: opts.webhookUrl, secret: DEMO_WEBHOOK_SECRET } } : {}) }],
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
  });
  const host = opts.host ?? '127.0.0.1';
  const server = sandbox.app.listen(opts.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: async () => {
      await sandbox.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
