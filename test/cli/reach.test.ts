import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandbox } from '../../src/sandbox/standalone.js';
import { captureServer, json } from '../support/http-server.js';
import { configFile, refusedPort, run, SECRET, silentListener, STACK_FRAME, type Run } from './support.js';

/**
 * The commands that call the running frontdesk (broadcast, sync-calendars, conformance --facility) find it at
 * --url, else http://127.0.0.1:$PORT, else the config's port; when nothing answers there, or a server cannot
 * listen, the operator gets one line and a non-zero exit, never a stack trace.
 */

const DEMO_AUTH = `Basic ${Buffer.from('demo-clinic:demo-api-key').toString('base64')}`;
const STAFF = { FRONTDESK_STAFF_TOKEN: 'demo-staff-token-change-me' };
const BROADCAST = ['broadcast', '--facility', 'demo-clinic', '--date', '2026-03-02', '--dry-run'];

/** the built-in demo's facility served like a running frontdesk serves it, at /sandbox/demo-clinic/api/v1 */
let sandbox: Awaited<ReturnType<typeof runSandbox>>;
/** a stand-in frontdesk that records what it is asked */
let standIn: Awaited<ReturnType<typeof captureServer>>;
let refused: number;
const portOf = (url: string) => new URL(url).port;

beforeAll(async () => {
  sandbox = await runSandbox({ port: 0 });
  standIn = await captureServer((req, _n, res) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/sandbox/demo-clinic/api/v1/calendars') return json(res, 200, { calendars: [{ id: '501', name: 'Stand-in clinic', appointmentTypes: [{ id: '9001', name: 'Consultation', durationMinutes: 30 }] }] });
    if (req.method === 'POST' && path === '/staff/v1/broadcasts') return json(res, 200, { id: 'b-standin', recipients: 3, skipped: 1, viberBotInitiated: 0, byChannel: { sms: 3 } });
    return json(res, 404, { error: 'not_found', message: 'not here' });
  });
  refused = await refusedPort();
});
afterAll(async () => {
  await sandbox?.close();
  await standIn?.close();
});

/** the requests the stand-in got while `f` ran */
async function asked(f: () => Promise<Run>): Promise<{ r: Run; requests: typeof standIn.requests }> {
  const before = standIn.requests.length;
  const r = await f();
  return { r, requests: standIn.requests.slice(before) };
}

const oneLine = (r: Run, line: string | RegExp) => {
  expect(r.code, r.out + r.err).not.toBe(0);
  expect(r.errLines, r.err).toHaveLength(1);
  if (typeof line === 'string') expect(r.errLines[0]).toBe(line);
  else expect(r.errLines[0]).toMatch(line);
  expect(r.err).not.toMatch(STACK_FRAME);
};

describe('the running server: PORT, else --url', () => {
  it('sync-calendars and conformance --facility call the server on PORT (not 3000)', async () => {
    const env = { PORT: portOf(sandbox.url) };
    const [sync, conformance] = await Promise.all([run(['sync-calendars'], env), run(['conformance', '--facility', 'demo-clinic'], env)]);
    expect(sync.code, sync.out + sync.err).toBe(0);
    expect(sync.out).toMatch(/^demo-clinic: \d+ calendars$/m);
    expect(conformance.code, conformance.out + conformance.err).toBe(0);
    expect(conformance.out).toContain(`checking ${sandbox.url}/sandbox/demo-clinic/api/v1`);
    expect(conformance.out).toMatch(/^conformance: \d+ pass · 0 fail/m);
  });

  it('broadcast calls the server on PORT', async () => {
    const { r, requests } = await asked(() => run(BROADCAST, { PORT: portOf(standIn.url), ...STAFF }));
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('dry run b-standin: 3 recipients, 1 skipped');
    expect(requests.map((q) => `${q.method} ${q.url}`)).toEqual(['POST /staff/v1/broadcasts']);
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${STAFF.FRONTDESK_STAFF_TOKEN}`);
  });

  it('--url wins over PORT, for each of the three', async () => {
    const env = { PORT: String(refused), ...STAFF };
    const sync = await asked(() => run(['sync-calendars', '--url', `${standIn.url}/`], env));
    expect(sync.r.code, sync.r.out + sync.r.err).toBe(0);
    expect(sync.r.out).toContain('demo-clinic: 1 calendars');
    expect(sync.r.out).toContain('Stand-in clinic');
    const calls = sync.requests.filter((q) => q.url.startsWith('/sandbox/'));
    expect(calls.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /sandbox/demo-clinic/api/v1/calendars']);
    expect(calls[0]!.headers.authorization).toBe(DEMO_AUTH);

    // the stand-in is no provider: the checks fail (exit 1), but they were made against it
    const conformance = await asked(() => run(['conformance', '--facility', 'demo-clinic', '--url', standIn.url], env));
    expect(conformance.r.out).toContain(`checking ${standIn.url}/sandbox/demo-clinic/api/v1`);
    expect(conformance.requests.filter((q) => q.url.startsWith('/sandbox/demo-clinic/api/v1/')).length).toBeGreaterThan(2);
    expect(conformance.r.err).not.toMatch(/cannot reach/);

    const broadcast = await asked(() => run([...BROADCAST, '--url', standIn.url], env));
    expect(broadcast.r.code, broadcast.r.out + broadcast.r.err).toBe(0);
    expect(broadcast.requests.map((q) => q.url)).toEqual(['/staff/v1/broadcasts']);
  });

  it('a --url that is not an http(s) URL: one line, exit 2', async () => {
    const r = await run(['sync-calendars', '--url', 'localhost:3000']);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(['frontdesk sync-calendars: --url must be an http(s) URL such as http://127.0.0.1:3000 (got "localhost:3000")']);
  });
});

describe('nothing answers: one line naming the URL and why, a non-zero exit, no stack trace', () => {
  it('a refused connection on PORT: each command says so in one line', async () => {
    const env = { PORT: String(refused), ...STAFF };
    const runs = await Promise.all([run(['sync-calendars'], env), run(['conformance', '--facility', 'demo-clinic'], env), run(BROADCAST, env)]);
    for (const [i, command] of ['sync-calendars', 'conformance', 'broadcast'].entries()) {
      const r = runs[i]!;
      oneLine(r, `frontdesk ${command}: cannot reach http://127.0.0.1:${refused} (connection refused) — is the server running? use --url`);
      expect(r.code).toBe(1);
    }
    // and nothing else was printed as if it had worked (no table of failed checks, no calendars)
    expect(runs[1]!.out).toBe('');
    expect(runs[0]!.out).toBe('');
  });

  it('a refused connection at --url', async () => {
    const r = await run(['sync-calendars', '--url', `http://127.0.0.1:${refused}`]);
    oneLine(r, `frontdesk sync-calendars: cannot reach http://127.0.0.1:${refused} (connection refused) — is the server running? use --url`);
  });

  it('a host name that does not resolve', async () => {
    // .invalid never resolves (RFC 6761); a resolver that cannot be asked at all answers "lookup failed" (or, hung, the timeout)
    const r = await run(['sync-calendars', '--url', 'http://frontdesk-nowhere.invalid:3000']);
    oneLine(r, /^frontdesk sync-calendars: cannot reach http:\/\/frontdesk-nowhere\.invalid:3000 \((host not found|host name lookup failed|no answer within 10 s)\) — (check the host name in --url|is the server running\? use --url)$/);
  });

  it('a server that accepts the connection and never answers: a timeout, in one line', async () => {
    const hung = await silentListener();
    try {
      const started = Date.now();
      const r = await run(['sync-calendars'], { PORT: String(hung.port) });
      oneLine(r, `frontdesk sync-calendars: cannot reach http://127.0.0.1:${hung.port} (no answer within 10 s) — is the server running? use --url`);
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      await hung.close();
    }
  }, 40_000);

  it('a provider that refuses (not the server): the facility, its base URL and where it is set, in one line', async () => {
    const file = configFile({ facilities: [{ id: 'st-lukes', name: "St. Luke's", timezone: 'Asia/Manila', provider: { baseUrl: `http://127.0.0.1:${refused}/api/v1`, userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: SECRET } }] });
    const [sync, conformance] = await Promise.all([
      run(['sync-calendars'], { FRONTDESK_CONFIG: file }),
      run(['conformance', '--base-url', `http://127.0.0.1:${refused}/api/v1`, '--user', 'u', '--key', 'k']),
    ]);
    oneLine(sync, `frontdesk sync-calendars: st-lukes: cannot reach http://127.0.0.1:${refused}/api/v1 (connection refused) — is it up? check facility st-lukes's provider.baseUrl`);
    oneLine(conformance, `frontdesk conformance: cannot reach http://127.0.0.1:${refused}/api/v1 (connection refused) — is it up? check --base-url`);
  });
});

describe('a busy port: one line, exit 1', () => {
  let busy: Awaited<ReturnType<typeof silentListener>>;
  beforeAll(async () => {
    busy = await silentListener();
  });
  afterAll(async () => {
    await busy?.close();
  });

  it('sandbox --port', async () => {
    const r = await run(['sandbox', '--port', String(busy.port)]);
    oneLine(r, `frontdesk sandbox: cannot listen on 127.0.0.1:${busy.port} (address already in use) — is another sandbox or server on that port? use --port`);
    expect(r.code).toBe(1);
  });

  it('start on PORT, with a config', async () => {
    const file = configFile({ host: '127.0.0.1', sandbox: true, staffTokens: ['a-staff-token-0123456789'], facilities: [{ id: 'demo-clinic', name: 'Demo', timezone: 'Asia/Manila', provider: { baseUrl: 'sandbox', userId: 'demo-clinic', apiKey: 'demo-clinic-api-key-0123', webhookSecret: SECRET } }] });
    const r = await run(['start'], { FRONTDESK_CONFIG: file, PORT: String(busy.port) });
    oneLine(r, `frontdesk start: cannot listen on 127.0.0.1:${busy.port} (address already in use) — is another frontdesk or server on that port? set PORT (or the config's "port")`);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/running on/);
  }, 60_000);

  it('start on PORT, the built-in demo: its warning, then the one line', async () => {
    const r = await run(['start'], { PORT: String(busy.port) });
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.err).toMatch(/warning: no FRONTDESK_CONFIG/);
    expect(r.errLines.filter((l) => l.startsWith('frontdesk start:'))).toEqual([`frontdesk start: cannot listen on 127.0.0.1:${busy.port} (address already in use) — is another frontdesk or server on that port? set PORT (or the config's "port")`]);
    expect(r.err).not.toMatch(STACK_FRAME);
  }, 60_000);
});
