/**
 * The frameworks compared against, installed on demand into bench/peers/node_modules (never a dependency
 * of frontdesk): `npm install --ignore-scripts` in bench/peers (bottender pinned to 1.5.5, the rest by
 * bench/peers/package-lock.json; the install script would download an ngrok binary, which nothing here uses).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./peers/', import.meta.url));
export const BOTTENDER_VERSION = '1.5.5';

const installed = (): boolean => {
  try {
    const pkg = JSON.parse(readFileSync(`${DIR}node_modules/bottender/package.json`, 'utf8')) as { version?: string };
    return pkg.version === BOTTENDER_VERSION;
  } catch {
    return false;
  }
};

/** undefined when bottender is there (installed now or before), else why not */
export async function ensureBottender(timeoutMs = 240_000): Promise<string | undefined> {
  if (installed()) return undefined;
  // the lock beside package.json (when there) pins every transitive version, so each run compares against the same code
  const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund'];
  process.stderr.write(`bench: installing bottender ${BOTTENDER_VERSION} into bench/peers (npm ${args.join(' ')})…\n`);
  const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn('npm', args, { cwd: DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: e.message });
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  if (result.code === 0 && installed()) return undefined;
  const reason = result.out.split('\n').find((l) => /ERR|error/i.test(l))?.trim() ?? `npm exited ${result.code}`;
  return `npm ${args[0]} failed: ${reason.slice(0, 120)}`;
}
