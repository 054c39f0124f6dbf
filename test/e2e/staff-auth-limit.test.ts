/**
 * Issue 13 follow-up: guessing staff tokens is bounded. The attack replayed: a client tries wrong bearer tokens
 * and wrong console sign-ins; past the limit it is refused (429, Retry-After) even with the right token, on the
 * API and on the sign-in form, until the window ends; another address is not affected. Sign-in and sign-out are
 * in the audit log, for each facility the member reaches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACILITY, SECRETS, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const TOKEN = 'limit-desk-staff-token-01';
let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
const clock = { shiftMs: 0 };

beforeAll(async () => {
  platforms = await startPlatforms();
  const config = testConfig({ platformsUrl: platforms.url, extra: { trustProxy: true, staffAuthLimit: { attempts: 3, windowMinutes: 15 }, staff: [{ name: 'Desk Ana', token: TOKEN, facilities: [FACILITY] }] } });
  fd = await startFrontdesk(config, { now: () => new Date(Date.now() + clock.shiftMs) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

/** trustProxy is on, so X-Forwarded-For names the client: two "addresses" from one test */
const api = (token: string, client: string) => fetch(`${fd.base}/staff/v1/audit`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client } });

async function signIn(token: string, client: string) {
  const page = await fetch(`${fd.base}/staff/`, { headers: { 'x-forwarded-for': client } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const login = page.headers.getSetCookie().find((c) => c.startsWith('fd_login='))!.split(';')[0]!;
  return fetch(`${fd.base}/staff/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login, 'x-forwarded-for': client },
    body: new URLSearchParams({ token, csrf }).toString(),
  });
}

describe('guessing staff tokens', () => {
  it('locks a client out after the configured refusals, on the API and the sign-in form, until the window ends', async () => {
    const attacker = '203.0.113.7';
    expect((await api('guess-0000000000000001', attacker)).status).toBe(401);
    expect((await signIn('guess-0000000000000002', attacker)).status).toBe(401);
    expect((await api('guess-0000000000000003', attacker)).status).toBe(401);
    // past the limit: refused before the token is looked at, even the right one
    const locked = await api(SECRETS.staffToken, attacker);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await locked.json()).toMatchObject({ error: 'too_many_attempts' });
    const form = await signIn(TOKEN, attacker);
    expect(form.status).toBe(429);
    expect(form.headers.getSetCookie().some((c) => c.startsWith('fd_staff='))).toBe(false);
    expect(await form.text()).toMatch(/Too many refused tokens/);
    // another client is not locked out
    expect((await api(SECRETS.staffToken, '198.51.100.20')).status).toBe(200);
    // after the window the right token works again
    clock.shiftMs = 16 * 60_000;
    expect((await api(SECRETS.staffToken, attacker)).status).toBe(200);
  });

  it('puts sign-in and sign-out in the audit log; a valid console session is never counted as a guess', async () => {
    const res = await signIn(TOKEN, '198.51.100.30');
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('fd_staff='))!.split(';')[0]!;
    const html = await (await fetch(`${fd.base}/staff/`, { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const out = await fetch(`${fd.base}/staff/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }).toString() });
    expect(out.status).toBe(303);
    // a stale cookie (signed out) is refused, but does not count against the address
    for (let i = 0; i < 5; i++) expect((await fetch(`${fd.base}/staff/v1/audit`, { headers: { cookie, 'x-forwarded-for': '198.51.100.30' } })).status).toBe(401);
    const audit = await api(SECRETS.staffToken, '198.51.100.30');
    expect(audit.status).toBe(200);
    const entries = ((await audit.json()) as { entries: { actor: string; action: string; facilityId: string }[] }).entries;
    expect(entries.filter((e) => e.actor === 'Desk Ana').map((e) => `${e.action}@${e.facilityId}`).sort()).toEqual([`staff.login@${FACILITY}`, `staff.logout@${FACILITY}`]);
  });
});
