import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureServer, json } from '../support/http-server.js';

const BIN = resolve(import.meta.dirname, '../../bin/frontdesk.js');
const PAGE_TOKEN = 'PAGE-TOKEN-SECRET-0123';
const APP_SECRET = 'app-secret-0123456789';

let graph: Awaited<ReturnType<typeof captureServer>>;
beforeAll(async () => {
  graph = await captureServer((_req, _n, res) => json(res, 200, { result: 'success' }));
});
afterAll(async () => {
  await graph?.close();
});

function run(args: string[], env: Record<string, string>): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: mkdtempSync(join(tmpdir(), 'fd-setup-')), env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => done({ out, err, code }));
  });
}

describe('npx frontdesk setup-webhooks --apply', () => {
  it('calls Graph with the page token as a Bearer header and its appsecret_proof in the URL, never the token in a URL', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fd-setupcfg-')), 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        publicUrl: 'https://bot.example.org',
        platformApis: { messenger: `${graph.url}/v25.0` },
        facilities: [
          {
            id: 'st-lukes',
            name: "St. Luke's",
            timezone: 'Asia/Manila',
            provider: { baseUrl: 'https://his.example/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==' },
            channels: { messenger: { pageId: '123', pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-token-0123456789' } },
          },
        ],
      }),
    );
    const r = await run(['setup-webhooks', '--apply'], { FRONTDESK_CONFIG: file });
    expect(r.code, r.out + r.err).toBe(0);
    const proof = createHmac('sha256', APP_SECRET).update(PAGE_TOKEN).digest('hex');
    expect(graph.requests.map((q) => q.url.split('?')[0])).toEqual(['/v25.0/123/subscribed_apps', '/v25.0/me/messenger_profile']);
    for (const q of graph.requests) {
      expect(q.url).not.toContain(PAGE_TOKEN);
      expect(q.url).not.toContain('access_token');
      expect(new URL(q.url, graph.url).searchParams.get('appsecret_proof')).toBe(proof);
      expect(q.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    }
    expect(r.out).not.toContain(PAGE_TOKEN);
  }, 60_000);
});
