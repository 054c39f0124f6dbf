import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { StaffSession, StaffSessionStore } from '../store/staff-sessions.js';
import { HttpError } from './errors.js';
import { memberOfToken, tokenDigest, type SessionMembers, type StaffCredential, type StaffMember } from './staff.js';

export const SESSION_COOKIE = 'fd_staff';
export const LOGIN_COOKIE = 'fd_login';
export const CSRF_HEADER = 'x-csrf-token';
const COOKIE_PATH = '/staff';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ConsoleSessionDeps {
  sessions: StaffSessionStore;
  staff: readonly StaffCredential[];
  hours: number;
  now: () => Date;
}

const random = () => randomBytes(32).toString('base64url');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const cookieOptions = (ctx: Koa.Context, maxAgeMs?: number) => ({ httpOnly: true, sameSite: 'strict' as const, path: COOKIE_PATH, secure: ctx.secure, overwrite: true, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) });

/**
 * The console's sign-in: a staff token typed once becomes an HttpOnly, SameSite=Strict cookie naming a session
 * in the store (so every instance knows it) that expires after `hours`. Every change made with the cookie carries
 * the session's CSRF token in `X-CSRF-Token` (the page reads it from its own HTML); the sign-in form itself is
 * protected by a double-submit token.
 */
export function consoleSessions(deps: ConsoleSessionDeps) {
  const byToken = memberOfToken(deps.staff);

  async function current(ctx: Koa.Context): Promise<{ id: string; session: StaffSession; member: StaffMember } | undefined> {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (!id || id.length > 100) return undefined;
    const session = await deps.sessions.get(id, deps.now());
    // a token taken out of the config ends the sessions opened with it
    const member = session ? byToken(session.tokenDigest, true) : undefined;
    return session && member ? { id, session, member } : undefined;
  }

  const members: SessionMembers = {
    async memberOf(ctx) {
      const s = await current(ctx);
      if (!s) return undefined;
      if (!SAFE.has(ctx.method) && !same(ctx.get(CSRF_HEADER), s.session.csrf)) throw new HttpError(403, 'csrf', 'this change needs the console’s CSRF token (reload the console)');
      return s.member;
    },
  };

  return {
    members,
    current,
    /** a fresh double-submit token for the sign-in form (also set as a cookie) */
    loginToken(ctx: Koa.Context): string {
      const token = random();
      ctx.cookies.set(LOGIN_COOKIE, token, cookieOptions(ctx, 3600_000));
      return token;
    },
    /** signs in with a staff token; undefined (and nothing stored) when the form or the token is not right */
    async login(ctx: Koa.Context, form: { token?: string; csrf?: string }): Promise<{ member: StaffMember } | 'bad_form' | 'bad_token'> {
      const expected = ctx.cookies.get(LOGIN_COOKIE);
      if (!expected || !form.csrf || !same(form.csrf, expected)) return 'bad_form';
      const token = form.token?.trim() ?? '';
      const member = token.length > 0 && token.length <= 500 ? byToken(token) : undefined;
      if (!member) return 'bad_token';
      const now = deps.now();
      const id = random();
      const ttl = deps.hours * 3600_000;
      await deps.sessions.save(id, { name: member.name, tokenDigest: tokenDigest(token), csrf: random(), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttl).toISOString() }, now);
      ctx.cookies.set(SESSION_COOKIE, id, cookieOptions(ctx, ttl));
      ctx.cookies.set(LOGIN_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
      return { member };
    },
    async logout(ctx: Koa.Context): Promise<void> {
      const id = ctx.cookies.get(SESSION_COOKIE);
      if (id) await deps.sessions.delete(id);
      ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    },
  };
}

export type ConsoleSessions = ReturnType<typeof consoleSessions>;
