/**
 * frontdesk as a real child process (`node bin/frontdesk.js start` with a JSON config file), and what
 * must outlive it in the test process: the sandbox provider on its own port, and an HTTP proxy in
 * front of it that can hold a chosen provider answer (to kill the child while a call is in flight).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { createLogger } from '../../src/log.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { FACILITY, sandboxAuth, startPlatforms, testConfig, type Platforms } from './frontdesk.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

export interface SandboxAppointmentView {
  appointmentId: string;
  status: string;
  start: string;
  calendarId: string;
  patient?: { name?: string; phone?: string; dob?: string };
  source?: string;
}

/** The sandbox provider for the test facility, served from the test process (it survives the child). */
export async function startSandboxServer(): Promise<{ url: string; sandbox: Sandbox; apiBase: (origin?: string) => string; appointments(): Promise<SandboxAppointmentView[]>; close(): Promise<void> }> {
  const sandbox = createSandbox({ facilities: [{ id: FACILITY, timezone: 'Asia/Manila', userId: 'st-lukes', apiKey: 'st-lukes-key' }], logger: createLogger({ level: 'silent' }) });
  const app = new Koa();
  app.use(sandbox.middleware());
  const server = createServer(app.callback());
  const url = await listen(server);
  return {
    url,
    sandbox,
    /** the contract's base URL, through `origin` (a proxy) or directly */
    apiBase: (origin = url) => `${origin}/sandbox/${FACILITY}/api/v1`,
    async appointments() {
      const res = await fetch(`${url}/sandbox/${FACILITY}/staff/appointments`, { headers: { authorization: sandboxAuth } });
      if (res.status !== 200) throw new Error(`sandbox staff list answered ${res.status}`);
      return ((await res.json()) as { appointments: SandboxAppointmentView[] }).appointments;
    },
    async close() {
      await closeServer(server);
      await sandbox.stop();
    },
  };
}

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/**
 * A pass-through HTTP proxy. A request for which `hold` answers true is forwarded at once (the upstream
 * acts on it) but its answer is kept back until `release()`: the caller sees a call in flight.
 */
export async function startHoldingProxy(target: string, hold: (req: ProxiedRequest, n: number) => boolean = () => false) {
  const requests: ProxiedRequest[] = [];
  const held: (() => void)[] = [];
  let heldSignal: (() => void) | undefined;
  let heldOnce = new Promise<void>((r) => (heldSignal = r));
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    requests.push(seen);
    const keep = hold(seen, requests.length);
    const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: seen.method, path: seen.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        };
        if (!keep) return answer();
        held.push(answer);
        heldSignal?.();
      });
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(out);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    /** resolves once a held request has been answered by the upstream (its answer now waits here) */
    held: () => heldOnce,
    release() {
      for (const answer of held.splice(0)) answer();
      heldOnce = new Promise<void>((r) => (heldSignal = r));
    },
    close: () => closeServer(server),
  };
}
export type HoldingProxy = Awaited<ReturnType<typeof startHoldingProxy>>;

/** Writes a frontdesk config file: the e2e test config, with SQLite in a fresh temp dir and no embedded sandbox. */
export function writeChildConfig(opts: { providerBaseUrl: string; platformsUrl: string; dir?: string; store?: string; extra?: Record<string, unknown> }): { path: string; dir: string } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fd-child-'));
  // a killed child's lease on its conversation lapses in 2 s, so the next one resumes it quickly
  const config = { ...testConfig({ platformsUrl: opts.platformsUrl, providerBaseUrl: opts.providerBaseUrl, sandbox: false, store: opts.store ?? `sqlite:${join(dir, 'frontdesk.sqlite')}` }), queue: { leaseSeconds: 2 }, ...opts.extra };
  const path = join(dir, 'frontdesk.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, dir };
}

export interface ChildFrontdesk {
  /** where the child serves (a new ephemeral port on each start) */
  url: string;
  pid: number;
  /** everything the child printed so far (stdout + stderr) */
  output(): string;
  /** SIGKILL: no shutdown code runs; resolves once the process is gone */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown; resolves with the exit code */
  stop(): Promise<number | null>;
}

const RUNNING = /frontdesk is running on (http:\/\/\S+)/;

/** Runs `node bin/frontdesk.js start` with FRONTDESK_CONFIG=configPath; resolves once it listens. */
export async function startChild(configPath: string, opts: { startTimeoutMs?: number; env?: Record<string, string> } = {}): Promise<ChildFrontdesk> {
  const env: NodeJS.ProcessEnv = { ...process.env, FRONTDESK_CONFIG: configPath, NODE_ENV: 'test', ...opts.env };
  delete env.PORT;
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/frontdesk.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`frontdesk child did not start:\n${out}`));
    }, opts.startTimeoutMs ?? 30_000);
    const check = () => {
      const m = RUNNING.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolveUrl(m[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`frontdesk child exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * A test file's world for child processes: a standalone sandbox and the platforms' stand-in for the file,
 * the children started by a test killed after it. `start` spawns one and registers it.
 */
export function useChildWorld() {
  const world = {
    sandbox: undefined as unknown as Awaited<ReturnType<typeof startSandboxServer>>,
    platforms: undefined as unknown as Platforms,
    children: [] as ChildFrontdesk[],
    async start(configPath: string, opts: Parameters<typeof startChild>[1] = {}): Promise<ChildFrontdesk> {
      const child = await startChild(configPath, opts);
      world.children.push(child);
      return child;
    },
  };
  beforeAll(async () => {
    world.sandbox = await startSandboxServer();
    world.platforms = await startPlatforms();
  });
  afterEach(async () => {
    for (const c of world.children.splice(0)) await c.kill();
  });
  afterAll(async () => {
    await world.platforms?.close();
    await world.sandbox?.close();
  });
  return world;
}
