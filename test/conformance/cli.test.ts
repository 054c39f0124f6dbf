import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/conformance/run.js';
import { brokenProvider } from './broken-provider.js';
import { closeServer, listen, newSecret, runningSandbox, type RunningSandbox } from './support.js';

/** `npx frontdesk conformance` as a user runs it: a child process against providers on local ports. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function frontdesk(args: string[], env: Record<string, string | undefined> = {}): Promise<Exit> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...env };
  delete childEnv.FRONTDESK_CONFIG;
  if (env.FRONTDESK_CONFIG) childEnv.FRONTDESK_CONFIG = env.FRONTDESK_CONFIG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/frontdesk.js', 'conformance', ...args], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port that was free a moment ago, for --webhook-port (the sandbox must know the receiver's URL up front). */
async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let sandbox: RunningSandbox;
let demo: RunningSandbox;
let tmp: string;
beforeAll(async () => {
  sandbox = await runningSandbox();
  // the built-in demo config's facility, served like a running frontdesk serves it at /sandbox/demo-clinic/api/v1
  demo = await runningSandbox({ id: 'demo-clinic', userId: 'demo-clinic', apiKey: 'demo-api-key' });
  tmp = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
});
afterAll(async () => {
  await sandbox.close();
  await demo.close();
  rmSync(tmp, { recursive: true, force: true });
});

const credentials = () => ['--base-url', sandbox.baseUrl, '--user', sandbox.facility.userId, '--key', sandbox.facility.apiKey];

describe('frontdesk conformance (CLI)', () => {
  it('prints the table and exits 0 against the sandbox', async () => {
    const r = await frontdesk(credentials());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CHECK\s+STATUS\s+TITLE\s+DETAIL$/m);
    expect(r.stdout).toMatch(/^auth\.required\s+PASS\s+Basic auth is required/m);
    expect(r.stdout).toMatch(/^write\s+SKIP\s+booking checks\s+read-only run/m);
    expect(r.stdout).toMatch(/^conformance: \d+ pass · 0 fail · 0 warn · 1 skip$/m);
    // CI reads "N passed, N failed" lines as test results: the tally must never look like one
    expect(r.stdout).not.toMatch(/^\s*\d+ passed, \d+ failed\s*$/m);
  });

  it('--write --json with a webhook receiver: every check passes, JSON on stdout, the receiver URL on stderr', async () => {
    const port = await freePort();
    const secret = newSecret();
    sandbox.sandbox.setWebhookTarget(sandbox.facility.id, `http://127.0.0.1:${port}/webhooks/provider/conformance`, secret);
    const r = await frontdesk([...credentials(), '--timezone', 'Asia/Manila', '--write', '--json', '--webhook-secret', secret, '--webhook-port', String(port), '--wait-ms', '20000']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`the provider must POST its webhooks to http://127.0.0.1:${port}/webhooks/provider/conformance`);
    const results = JSON.parse(r.stdout) as CheckResult[];
    expect(results.filter((x) => x.status !== 'pass')).toEqual([]);
    expect(results.map((x) => x.id)).toEqual(expect.arrayContaining(['write.cancel-again', 'webhook.events', 'openapi.responses']));
  });

  it('--facility takes the provider from the config; baseUrl "sandbox" means the sandbox of the frontdesk at --url', async () => {
    const r = await frontdesk(['--facility', 'demo-clinic', '--url', demo.origin]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`checking ${demo.origin}/sandbox/demo-clinic/api/v1`);
    expect(r.stdout).toMatch(/^conformance: \d+ pass · 0 fail/m);
  });

  it('exits 1 when a check fails', async () => {
    const broken = await listen(brokenProvider());
    try {
      const r = await frontdesk(['--base-url', `${broken.origin}/api/v1`, '--user', 'u', '--key', 'k']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^auth\.required\s+FAIL/m);
      expect(r.stdout).toMatch(/^conformance: \d+ pass · [1-9]\d* fail/m);
    } finally {
      await closeServer(broken.server);
    }
  });

  it('exits 2 and says what is missing on bad arguments', async () => {
    const none = await frontdesk([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--base-url is required');
    expect(none.stderr).toContain('--user is required');
    expect(none.stderr).toContain('--key is required');

    const unknown = await frontdesk(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");

    const bad = await frontdesk([...credentials(), '--webhook-secret', 'not-a-secret', '--wait-ms', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--wait-ms must be a whole number');

    const both = await frontdesk(['--facility', 'demo-clinic', '--base-url', sandbox.baseUrl]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('use either --facility or --base-url');
  });

  it('prints configuration problems as a list, without a stack trace', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ facilities: [] }));
    const r = await frontdesk(['--facility', 'demo-clinic'], { FRONTDESK_CONFIG: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  - facilities: at least one facility is required');
    expect(r.stderr).not.toMatch(/^\s+at /m);

    const unknown = await frontdesk(['--facility', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no facility "nowhere" in the configuration (known: demo-clinic)');
  });
});
