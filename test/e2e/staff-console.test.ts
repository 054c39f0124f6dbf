/**
 * Issue 13, the console's sign-in and live inbox over HTTP: a staff token becomes an HttpOnly, SameSite=Strict
 * session cookie with an expiry; every change made with the cookie needs the session's CSRF token (the attack
 * replayed: a form posted from elsewhere with the cookie); logout ends the session everywhere; a token taken
 * out of the config ends its sessions; the event stream tells a signed-in console of a new ticket.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, FACILITY, messengerText, postMessenger, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

const TOKEN = 'console-desk-staff-token-01';
let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;
const clock = { shiftMs: 0 };

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, extra: { staff: [{ name: 'Desk Ana', token: TOKEN, facilities: [FACILITY] }] } }), { now: () => new Date(Date.now() + clock.shiftMs) });
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const cookiesOf = (res: Response) => res.headers.getSetCookie();
const pick = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`));
const valueOf = (c: string | undefined) => c?.split(';')[0]!.split('=')[1] ?? '';

async function loginForm() {
  const res = await fetch(`${fd.base}/staff/`);
  const html = await res.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { status: res.status, html, csrf, cookie: `fd_login=${valueOf(pick(cookiesOf(res), 'fd_login'))}` };
}

async function login(token = TOKEN, opts: { origin?: string; csrf?: string } = {}) {
  const form = await loginForm();
  const res = await fetch(`${fd.base}/staff/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, ...(opts.origin ? { origin: opts.origin } : {}) },
    body: new URLSearchParams({ token, csrf: opts.csrf ?? form.csrf }).toString(),
  });
  const session = pick(cookiesOf(res), 'fd_staff');
  return { res, session, cookie: `fd_staff=${valueOf(session)}` };
}

async function csrfOf(cookie: string) {
  const html = await (await fetch(`${fd.base}/staff/`, { headers: { cookie } })).text();
  return /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
}

describe('staff console sign-in', () => {
  it('shows a labelled sign-in form with a double-submit token; a wrong token or a forged form opens no session', async () => {
    const form = await loginForm();
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/<label for="token">Staff token<\/label>/);
    expect(form.csrf.length).toBeGreaterThan(20);
    const bad = await login('not-a-staff-token-at-all');
    expect(bad.res.status).toBe(401);
    expect(bad.session).toBeUndefined();
    expect(await bad.res.text()).toMatch(/not valid/);
    // login CSRF: a form without the page's token, or posted from another site, is refused
    expect((await login(TOKEN, { csrf: 'forged' })).res.status).toBe(403);
    const crossSite = await login(TOKEN, { origin: 'https://evil.example' });
    expect(crossSite.res.status).toBe(403);
    expect(crossSite.session).toBeUndefined();
  });

  it('a good token sets an HttpOnly, SameSite=Strict session cookie with an expiry; the console and the staff API answer to it', async () => {
    const { res, session, cookie } = await login();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/staff/');
    expect(session).toMatch(/; path=\/staff/);
    expect(session).toMatch(/; httponly/i);
    expect(session).toMatch(/; samesite=strict/i);
    expect(session).toMatch(/; expires=/i);
    const page = await fetch(`${fd.base}/staff/`, { headers: { cookie } });
    const html = await page.text();
    expect(html).toMatch(/<meta name="csrf-token" content="[\w-]{40,}">/);
    expect(html).toContain('Desk Ana');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const me = await fetch(`${fd.base}/staff/v1/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'Desk Ana', facilities: [{ id: FACILITY, timezone: 'Asia/Manila' }] });
    // the cookie's value is not what the store keeps (a copy of the store opens no console)
    const raw = valueOf(session);
    expect(await fd.store.backend.kv.get(`staff-session:${raw}`)).toBeUndefined();
    expect(await fd.store.backend.kv.get(`staff-session:${createHash('sha256').update(raw).digest('base64url')}`)).toMatchObject({ name: 'Desk Ana' });
  });

  it('replayed attack: a change posted with the cookie but without the CSRF token is refused and changes nothing', async () => {
    const { cookie } = await login();
    const forged = await fetch(`${fd.base}/staff/v1/broadcasts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ facilityId: FACILITY, date: '2026-12-20', kind: 'message', text: 'forged' }) });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toBe('csrf');
    const history = (await (await fetch(`${fd.base}/staff/v1/broadcasts?facilityId=${FACILITY}`, { headers: { cookie } })).json()) as { broadcasts: unknown[] };
    expect(history.broadcasts).toEqual([]);
    const wrong = await fetch(`${fd.base}/staff/v1/tickets/${FACILITY}.nothing/claim`, { method: 'POST', headers: { cookie, 'x-csrf-token': 'guess' } });
    expect(wrong.status).toBe(403);
    const right = await fetch(`${fd.base}/staff/v1/tickets/${FACILITY}.nothing/claim`, { method: 'POST', headers: { cookie, 'x-csrf-token': await csrfOf(cookie) } });
    expect(right.status).toBe(404);
  });

  it('sign out needs the CSRF token, then ends the session; an expired session is a sign-in page again', async () => {
    const { cookie } = await login();
    expect((await fetch(`${fd.base}/staff/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=guess' })).status).toBe(403);
    expect((await fetch(`${fd.base}/staff/v1/me`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${fd.base}/staff/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${await csrfOf(cookie)}` });
    expect(out.status).toBe(303);
    expect(pick(cookiesOf(out), 'fd_staff')).toMatch(/^fd_staff=;/);
    expect((await fetch(`${fd.base}/staff/v1/me`, { headers: { cookie } })).status).toBe(401);

    const later = await login();
    expect((await fetch(`${fd.base}/staff/v1/me`, { headers: { cookie: later.cookie } })).status).toBe(200);
    clock.shiftMs = 8 * 3_600_000 + 60_000;
    try {
      expect((await fetch(`${fd.base}/staff/v1/me`, { headers: { cookie: later.cookie } })).status).toBe(401);
      expect(await (await fetch(`${fd.base}/staff/`, { headers: { cookie: later.cookie } })).text()).toMatch(/Staff token/);
    } finally {
      clock.shiftMs = 0;
    }
  });

  it('the event stream tells a signed-in console of a new ticket (from the store, so any instance’s)', async () => {
    const { cookie } = await login();
    const ac = new AbortController();
    const res = await fetch(`${fd.base}/staff/v1/events?facilityId=${FACILITY}`, { headers: { cookie }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let seen = '';
    const read = async (until: (s: string) => boolean) => {
      while (!until(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
    };
    await read((s) => s.includes('event: tickets'));
    expect(seen).toMatch(/"tickets":\[\]/);
    const psid = '7300000000000001';
    for (const [text, qr] of [['hi', undefined], ['Talk to staff', 'menu:staff']] as const) {
      expect((await postMessenger(fd.base, messengerText(psid, text, { mid: `m_${randomUUID()}`, ...(qr ? { quickReply: qr } : {}) }))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
    }
    const contact = await eventually(() => fd.store.contacts.byChannelUser(FACILITY, 'messenger', psid), 'contact');
    await read((s) => s.includes(contact.id));
    expect(seen).toContain('"state":"waiting"');
    ac.abort();
  });

  it('the stream needs a session or a token, and a token’s own facilities', async () => {
    expect((await fetch(`${fd.base}/staff/v1/events?facilityId=${FACILITY}`)).status).toBe(401);
    expect((await fetch(`${fd.base}/staff/v1/events?facilityId=other-clinic`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
  });
});
