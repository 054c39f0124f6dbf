/**
 * frontdesk as a child process (`node bin/frontdesk.js …`), for tests that kill and restart it,
 * and one-shot CLI runs. The child reads a JSON config file written here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/frontdesk.js', import.meta.url));

/** A port free right now on 127.0.0.1 (listen(0), then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function writeConfig(path: string, config: unknown): string {
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export interface FrontdeskChild {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** resolves with the exit code (or signal) once the process is gone */
  exited: Promise<number | NodeJS.Signals | null>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** `frontdesk start` with FRONTDESK_CONFIG; resolves once it prints the URL it serves on. */
export async function startChild(opts: { configFile: string; port: number; env?: Record<string, string> }): Promise<FrontdeskChild> {
  const proc = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env: { ...process.env, FRONTDESK_CONFIG: opts.configFile, PORT: String(opts.port), NODE_ENV: 'test', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | NodeJS.Signals | null>((r) => proc.once('exit', (code, signal) => r(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /frontdesk is running on (http:\/\/\S+)/.exec(out);
      if (m) {
        proc.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`frontdesk exited (${String(code)}) before listening:\n${out}`)));
  });
  return {
    url,
    proc,
    output: () => out,
    exited,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Runs `frontdesk <args>` to the end. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}
