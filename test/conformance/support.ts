import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/log.js';
import type { CheckResult } from '../../src/conformance/run.js';
import { createSandbox, type Sandbox, type SandboxFacility } from '../../src/sandbox/index.js';
import { close as closeServer, listen } from '../sandbox/support.js';

/** Monday 2 March 2026, 09:00 in Manila. */
export const NOW = new Date('2026-03-02T09:00:00+08:00');
export const silent = createLogger({ level: 'silent' });

export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export { listen, closeServer };

export interface RunningSandbox {
  sandbox: Sandbox;
  origin: string;
  /** the facility's patient API base URL */
  baseUrl: string;
  facility: SandboxFacility;
  close(): Promise<void>;
}

export async function runningSandbox(facility: Partial<SandboxFacility> = {}, opts: { now?: () => Date } = {}): Promise<RunningSandbox> {
  const f: SandboxFacility = { id: 'conf-clinic', timezone: 'Asia/Manila', userId: 'conf-user', apiKey: `conf-key-${randomBytes(4).toString('hex')}`, ...facility };
  const sandbox = createSandbox({ facilities: [f], logger: silent, webhookRetry: { maxAttempts: 2, initialDelayMs: 20 }, ...(opts.now ? { now: opts.now } : {}) });
  const { server, origin } = await listen(sandbox.app);
  return {
    sandbox,
    origin,
    baseUrl: `${origin}/sandbox/${f.id}/api/v1`,
    facility: f,
    close: async () => {
      await sandbox.stop();
      await closeServer(server);
    },
  };
}

export const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));
export const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
