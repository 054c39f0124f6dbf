/**
 * Issue 10, staff access: named, scoped staff tokens on the whole service with two facilities. A token
 * reaches only its facilities (403 for another facility's broadcast, erasure, export, attention,
 * undeliverable list and audit; 401 without a known token); `staffTokens` stay all-facility tokens named
 * staff-1…; every staff action is in the audit log under the token's name, readable per scope; the
 * broadcast CLI takes its token from FRONTDESK_STAFF_TOKEN (argv still works, with a warning).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACILITY, SECRETS, testConfig, useService } from '../support/frontdesk.js';
import { say, staffHeaders } from './privacy-support.js';

const OTHER = 'makati-med';
const TOKENS = { lukes: 'st-lukes-desk-token-0123456789', makati: 'makati-desk-token-0123456789', officer: 'privacy-officer-token-0123456789' };
const svc = useService((url) => {
  const base = testConfig({ platformsUrl: url });
  return testConfig({
    platformsUrl: url,
    extra: {
      facilities: [
        base.facilities[0]!,
        { id: OTHER, name: 'Makati Medical', timezone: 'Asia/Manila', provider: { baseUrl: 'sandbox', userId: OTHER, apiKey: `${OTHER}-key`, webhookSecret: SECRETS.webhookSecret } },
      ],
      staff: [
        { name: "St Luke's desk", token: TOKENS.lukes, facilities: [FACILITY] },
        { name: 'Makati desk', token: TOKENS.makati, facilities: [OTHER] },
        { name: 'Privacy officer', token: TOKENS.officer, facilities: '*' },
      ],
    },
  });
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  fetch(`${svc.fd.base}/staff/v1${path}`, {
    method,
    headers: token === undefined ? { 'content-type': 'application/json' } : staffHeaders(token),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const DATE = '2031-05-06';
const dryRun = (facilityId: string) => ({ facilityId, date: DATE, kind: 'reminder', dryRun: true });
type Entry = { actor: string; action: string; facilityId: string; outcome?: string; targets?: Record<string, unknown> };
const audit = async (token: string, query = '') => ((await (await call('GET', `/audit${query}`, token)).json()) as { entries: Entry[] }).entries;

let otherContact = '';

describe('scoped staff tokens', () => {
  it('401 without a token, with an unknown one, or a malformed header, on every staff route', async () => {
    const routes: [string, string, unknown?][] = [
      ['POST', '/broadcasts', dryRun(FACILITY)],
      ['GET', `/facilities/${FACILITY}/attention`],
      ['GET', `/facilities/${FACILITY}/undeliverable`],
      ['GET', `/facilities/${FACILITY}/contacts/x/export`],
      ['DELETE', `/facilities/${FACILITY}/contacts/x`],
      ['GET', '/audit'],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(method, path, undefined, body)).status, `${method} ${path}`).toBe(401);
      expect((await call(method, path, 'not-a-staff-token-0123456789', body)).status, `${method} ${path}`).toBe(401);
      const res = await fetch(`${svc.fd.base}/staff/v1${path}`, { method, headers: { authorization: TOKENS.lukes } });
      expect(res.status, `${method} ${path} without Bearer`).toBe(401);
    }
  });

  it("a facility's token reaches its facility, and gets 403 for the other one", async () => {
    const other = await say(svc.fd.base, 'dev-makati-1', { text: 'hi' }, OTHER);
    expect(other.length).toBeGreaterThan(0);
    otherContact = (await svc.fd.store.contacts.byChannelUser(OTHER, 'dev', 'dev-makati-1'))!.id;

    expect((await call('POST', '/broadcasts', TOKENS.lukes, dryRun(FACILITY))).status).toBe(200);
    expect((await call('GET', `/facilities/${FACILITY}/attention`, TOKENS.lukes)).status).toBe(200);
    expect((await call('GET', `/facilities/${FACILITY}/undeliverable`, TOKENS.lukes)).status).toBe(200);

    const forbidden: [string, string, unknown?][] = [
      ['POST', '/broadcasts', dryRun(OTHER)],
      ['POST', '/broadcasts', { ...dryRun(OTHER), dryRun: false }],
      ['GET', `/facilities/${OTHER}/attention`],
      ['GET', `/facilities/${OTHER}/undeliverable`],
      ['GET', `/facilities/${OTHER}/contacts/${otherContact}/export`],
      ['DELETE', `/facilities/${OTHER}/contacts/${otherContact}`],
      ['GET', `/audit?facilityId=${OTHER}`],
      // a facility that does not exist is not in its scope either (nothing to learn about which exist)
      ['GET', '/facilities/nowhere/attention'],
    ];
    for (const [method, path, body] of forbidden) {
      const res = await call(method, path, TOKENS.lukes, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'forbidden' });
    }
    // a contact id that cannot be one is refused before anything is looked up or recorded
    expect((await call('DELETE', `/facilities/${FACILITY}/contacts/${encodeURIComponent('Maria Santos')}`, TOKENS.lukes)).status).toBe(400);
    // the contact of the other facility is untouched
    expect(await svc.fd.store.contacts.get(OTHER, otherContact)).toBeDefined();
    // an all-facility token: 404 for a facility that does not exist
    expect((await call('GET', '/facilities/nowhere/attention', TOKENS.officer)).status).toBe(404);
  });

  it("a broadcast is readable only with a token that reaches its facility", async () => {
    const res = await call('POST', '/broadcasts', TOKENS.makati, { facilityId: OTHER, date: DATE, kind: 'message', text: 'We open at 9.' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await call('GET', `/broadcasts/${id}`, TOKENS.makati)).status).toBe(200);
    expect((await call('GET', `/broadcasts/${id}`, TOKENS.officer)).status).toBe(200);
    expect((await call('GET', `/broadcasts/${id}`, TOKENS.lukes)).status).toBe(403);
    expect((await call('GET', '/broadcasts/no-such-broadcast', TOKENS.lukes)).status).toBe(404);
  });

  it('staffTokens still work, as all-facility tokens named staff-1', async () => {
    expect((await call('POST', '/broadcasts', SECRETS.staffToken, dryRun(OTHER))).status).toBe(200);
    expect((await call('GET', `/facilities/${OTHER}/attention`, SECRETS.staffToken)).status).toBe(200);
    expect((await audit(SECRETS.staffToken, `?facilityId=${OTHER}`)).some((e) => e.actor === 'staff-1' && e.action === 'broadcast.dry-run')).toBe(true);
  });

  it('the audit log: who, what, which facility, target ids; each token sees its facilities only', async () => {
    const lukes = await audit(TOKENS.lukes);
    expect(lukes.length).toBeGreaterThan(0);
    expect(lukes.every((e) => e.facilityId === FACILITY)).toBe(true);
    expect(lukes.find((e) => e.action === 'broadcast.dry-run')).toMatchObject({ actor: "St Luke's desk", targets: { broadcastId: expect.any(String) } });

    const makati = await audit(TOKENS.makati);
    expect(makati.every((e) => e.facilityId === OTHER)).toBe(true);
    expect(makati.find((e) => e.action === 'broadcast.create')).toMatchObject({ actor: 'Makati desk' });
    // the refused erasure and export by the other facility's token are on record where they were tried
    const refused = makati.filter((e) => e.outcome === 'forbidden');
    expect(refused.map((e) => [e.action, e.actor, e.targets?.contactId]).sort()).toEqual([
      ['contact.erase', "St Luke's desk", otherContact],
      ['contact.export', "St Luke's desk", otherContact],
    ]);

    const all = await audit(TOKENS.officer);
    expect(new Set(all.map((e) => e.facilityId))).toEqual(new Set([FACILITY, OTHER]));
    expect(await audit(TOKENS.officer, '?limit=1')).toHaveLength(1);
    expect((await call('GET', '/audit?limit=0', TOKENS.officer)).status).toBe(400);
    expect((await call('GET', '/audit?limit=many', TOKENS.officer)).status).toBe(400);
  });

  it("erasure by the facility's own token works, and is audited", async () => {
    const res = await call('DELETE', `/facilities/${OTHER}/contacts/${otherContact}`, TOKENS.makati);
    expect(res.status).toBe(200);
    expect(await svc.fd.store.contacts.get(OTHER, otherContact)).toBeUndefined();
    expect((await audit(TOKENS.makati)).find((e) => e.action === 'contact.erase' && !e.outcome)).toMatchObject({ actor: 'Makati desk', targets: { contactId: otherContact } });
  });
});

describe('broadcast CLI token', () => {
  const BIN = resolve(import.meta.dirname, '../../bin/frontdesk.js');
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ out: string; err: string; code: number | null }>((done) => {
      const child = spawn(process.execPath, [BIN, 'broadcast', ...args], { cwd: mkdtempSync(join(tmpdir(), 'fd-cli-')), env: { PATH: process.env.PATH ?? '', ...env } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => done({ out, err, code }));
    });
  const args = () => ['--facility', FACILITY, '--date', '2031-05-07', '--dry-run', '--url', svc.fd.base];

  it('reads FRONTDESK_STAFF_TOKEN; --token still works but warns that argv is visible', async () => {
    const viaEnv = await run(args(), { FRONTDESK_STAFF_TOKEN: TOKENS.lukes });
    expect(viaEnv.code, viaEnv.err).toBe(0);
    expect(viaEnv.out).toMatch(/dry run/);
    expect(viaEnv.err).not.toMatch(/warning/);
    const viaArgv = await run([...args(), '--token', TOKENS.officer], {});
    expect(viaArgv.code, viaArgv.err).toBe(0);
    expect(viaArgv.err).toMatch(/warning: --token is visible/);
    const entries = await audit(TOKENS.officer, `?facilityId=${FACILITY}`);
    expect(entries.filter((e) => e.action === 'broadcast.dry-run').map((e) => e.actor)).toEqual(expect.arrayContaining(["St Luke's desk", 'Privacy officer']));
    const scoped = await run(['--facility', OTHER, '--date', '2031-05-07', '--dry-run', '--url', svc.fd.base], { FRONTDESK_STAFF_TOKEN: TOKENS.lukes });
    expect(scoped.code).toBe(1);
    expect(scoped.err).toMatch(/403 forbidden/);
  }, 60_000);
});
