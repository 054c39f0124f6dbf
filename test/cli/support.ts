import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/frontdesk.js');

export interface Run {
  out: string;
  err: string;
  code: number | null;
  /** stderr's lines, without the empty last one */
  errLines: string[];
}

/**
 * `node bin/frontdesk.js <args>` to the end, as an operator runs it: a fresh directory, a clean environment
 * (no FRONTDESK_CONFIG or PORT unless given), killed after `timeoutMs` (the result then says so).
 */
export function run(args: string[], env: Record<string, string> = {}, timeoutMs = 40_000): Promise<Run> {
  return new Promise((done) => {
    const cwd = mkdtempSync(join(tmpdir(), 'fd-cli-'));
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      err += `\n[test: killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ out, err, code, errLines: err.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1) });
    });
  });
}

/** A stack trace's frame lines ("    at fn (file:1:2)"), which an operator should never see. */
export const STACK_FRAME = /^\s+at .+/m;

/** A TCP port on 127.0.0.1 that nothing listens on (listened on, then released). */
export async function refusedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A listener on 127.0.0.1 that accepts connections and never answers them (a busy port, or a server that hangs). */
export async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** A config file in a fresh directory (its SQLite store beside it). */
export function configFile(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-clicfg-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ logLevel: 'silent', store: `sqlite:${join(dir, 'db.sqlite')}`, ...config }));
  return file;
}

export const SECRET = `whsec_${Buffer.from('a provider webhook secret of 32 b').toString('base64')}`;
