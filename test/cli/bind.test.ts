import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/frontdesk.js');
const SECRET = `whsec_${Buffer.from('a provider webhook secret of 32 b').toString('base64')}`;

/** `frontdesk start` in a fresh directory with a clean environment; resolves once it printed where it runs. */
async function start(env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'fd-bind-'));
  const child = spawn(process.execPath, [BIN, 'start'], { cwd, env: { PATH: process.env.PATH ?? '', PORT: '0', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  for (let i = 0; i < 1200 && code === undefined && !/bound to/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    out: () => out,
    err: () => err,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      const c = await exited;
      // a signal instead of an exit code: say which, with what the process printed
      if (c !== 0) console.error(`frontdesk start ended with ${c ?? `signal ${child.signalCode}`}\n${out}\n${err}`);
      return c;
    },
  };
}

/** Whether a TCP connection to host:port is accepted. */
const reachable = (host: string, port: number) =>
  new Promise<boolean>((done) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
    s.once('timeout', () => (s.destroy(), done(false)));
  });

const otherAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

const writeConfig = (config: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'fd-bindcfg-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};
const sandboxFacility = { id: 'demo-clinic', name: 'Demo', timezone: 'Asia/Manila', provider: { baseUrl: 'sandbox', userId: 'demo-clinic', apiKey: 'demo-clinic-api-key-0123', webhookSecret: SECRET } };

describe('npx frontdesk start: where it listens', () => {
  it('with no config: warns that this is the demo, and listens on 127.0.0.1 only (the banner says so)', async () => {
    const run = await start();
    try {
      const url = /running on (http:\/\/\S+)/.exec(run.out())?.[1];
      expect(url, run.out() + run.err()).toBeDefined();
      const port = Number(new URL(url!).port);
      expect(run.out()).toContain(`bound to   127.0.0.1:${port}  (this machine only)`);
      expect(run.err()).toMatch(/warning: no FRONTDESK_CONFIG, so this is the built-in DEMO/);
      expect(await reachable('127.0.0.1', port)).toBe(true);
      // another interface of this machine: refused (the old default, 0.0.0.0, accepted it)
      if (otherAddress) expect(await reachable(otherAddress, port)).toBe(false);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  }, 90_000);

  it('with a config: 0.0.0.0 stays the default, and the banner names it, with no demo warning', async () => {
    const file = writeConfig({ sandbox: true, staffTokens: ['a-staff-token-0123456789'], logLevel: 'silent', store: `sqlite:${join(mkdtempSync(join(tmpdir(), 'fd-bindst-')), 'db.sqlite')}`, facilities: [sandboxFacility] });
    const run = await start({ FRONTDESK_CONFIG: file });
    try {
      const url = /running on (http:\/\/\S+)/.exec(run.out())?.[1];
      expect(url, run.out() + run.err()).toBeDefined();
      const port = Number(new URL(url!).port);
      expect(run.out()).toContain(`bound to   0.0.0.0:${port}  (every network interface`);
      expect(run.err()).not.toMatch(/DEMO/);
      if (otherAddress) expect(await reachable(otherAddress, port)).toBe(true);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  }, 90_000);

  it('refuses to start with a whsec_ secret that is not base64, naming it (no decoder error, no stack)', async () => {
    const file = writeConfig({ sandbox: true, facilities: [{ ...sandboxFacility, provider: { ...sandboxFacility.provider, webhookSecret: 'whsec_abc' } }] });
    const run = await start({ FRONTDESK_CONFIG: file });
    expect(await run.exited).toBe(1);
    expect(run.err()).toContain('- facilities[0].provider.webhookSecret: the part after whsec_ is not valid base64');
    expect(run.err()).not.toMatch(/Base64Coder|\n\s+at .+:\d+:\d+/);
  }, 90_000);

  it('refuses the dev chat in a config whose facility is not on the sandbox provider', async () => {
    const file = writeConfig({ dev: true, facilities: [{ ...sandboxFacility, provider: { ...sandboxFacility.provider, baseUrl: 'https://his.example/api/v1' } }] });
    const run = await start({ FRONTDESK_CONFIG: file });
    expect(await run.exited).toBe(1);
    expect(run.err()).toMatch(/- dev: the dev chat .* only for facilities on the sandbox provider; not on it: facilities\[0\] \("demo-clinic"\)/);
  }, 90_000);
});
