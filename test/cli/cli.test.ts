import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/frontdesk.js');

interface Run {
  out: string;
  err: string;
  code: number | null;
}

/** Runs the CLI in a fresh directory with a clean environment (no FRONTDESK_CONFIG unless given). */
function run(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'fd-cli-'))): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => done({ out, err, code }));
  });
}

describe('npx frontdesk', () => {
  it('start: serves the embedded defaults with no configuration at all, prints its URLs, and stops cleanly on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fd-start-'));
    const child = spawn(process.execPath, [BIN, 'start'], { cwd, env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'silent' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    for (let i = 0; i < 600 && !/running on (http:\/\/\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /running on (http:\/\/\S+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(out).toContain(`${url}/dev`);
    expect(out).toContain(`${url}/sandbox/demo-clinic/api/v1`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const cal = await fetch(`${url}/sandbox/demo-clinic/api/v1/calendars`, { headers: { authorization: `Basic ${Buffer.from('demo-clinic:demo-api-key').toString('base64')}` } });
    expect(((await cal.json()) as { calendars: unknown[] }).calendars.length).toBeGreaterThan(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/shutting down/);
  });

  it('start: an invalid config lists every problem with its path, and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-badcfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 'x', facilities: [{ id: 'Bad Id', name: 'X', timezone: 'Nowhere/City', provider: { baseUrl: 'sandbox', userId: 'u', apiKey: '${MISSING_KEY}', webhookSecret: 'nope' } }] }));
    const r = await run(['start'], { FRONTDESK_CONFIG: file });
    expect(r.code).toBe(1);
    expect(r.err).toContain('the configuration is not valid');
    for (const p of ['port', 'facilities[0].id', 'facilities[0].timezone', 'facilities[0].provider.apiKey', 'facilities[0].provider.webhookSecret']) expect(r.err).toContain(`- ${p}:`);
    expect(r.err).toContain('MISSING_KEY');
    expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('setup-webhooks: prints what it would register, masks tokens, sends nothing without --apply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-setup-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        publicUrl: 'https://bot.example.org',
        platformApis: { messenger: 'http://127.0.0.1:9/graph', viber: 'http://127.0.0.1:9/viber' },
        facilities: [
          {
            id: 'st-lukes',
            name: "St. Luke's",
            timezone: 'Asia/Manila',
            provider: { baseUrl: 'https://his.example/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==' },
            channels: {
              messenger: { pageId: '123', pageAccessToken: 'PAGE-TOKEN-SECRET', appSecret: 'app-secret-0123456789', verifyToken: 'verify-token-0123456789' },
              viber: { authToken: 'VIBER-TOKEN-SECRET', name: "St Luke's" },
            },
          },
        ],
      }),
    );
    const r = await run(['setup-webhooks'], { FRONTDESK_CONFIG: file });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('https://bot.example.org/webhooks/viber/st-lukes');
    expect(r.out).toMatch(/get_started/);
    expect(r.out).toMatch(/persistent_menu/);
    expect(r.out).toContain('nothing was sent');
    expect(r.out).not.toContain('PAGE-TOKEN-SECRET');
    expect(r.out).not.toContain('VIBER-TOKEN-SECRET');
  });

  it('help and an unknown command', async () => {
    const h = await run(['help']);
    expect(h.code).toBe(0);
    for (const c of ['start', 'sandbox', 'broadcast', 'sync-calendars', 'conformance', 'setup-webhooks']) expect(h.out).toContain(c);
    const u = await run(['frobnicate']);
    expect(u.code).toBe(2);
    expect(u.err).toContain('unknown command');
  });
});
