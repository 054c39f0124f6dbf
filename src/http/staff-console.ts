import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import type Koa from 'koa';
import type { Logger } from '../log.js';
import { readRawBody } from './raw-body.js';
import type { ConsoleSessions } from './staff-session.js';
import type { AuthLimiter } from './staff-auth-limit.js';
import { HttpError } from './errors.js';
import type { StaffMember } from './staff.js';

const asset = (name: string) => readFileSync(new URL(`./console/${name}`, import.meta.url), 'utf8');
const assets = { login: asset('login.html'), page: asset('index.html'), js: asset('console.js'), css: asset('console.css') };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fill = (html: string, values: Record<string, string>) => html.replace(/\{\{(\w+)\}\}/g, (_, k: string) => escape(values[k] ?? ''));

async function readForm(ctx: Koa.Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) return {};
  return Object.fromEntries(new URLSearchParams((await readRawBody(ctx, 8 * 1024)).toString('utf8')));
}

/** the request comes from this origin (or names none): a form posted from another site is refused */
const sameOrigin = (ctx: Koa.Context) => {
  const origin = ctx.get('origin');
  return !origin || origin === `${ctx.protocol}://${ctx.host}`;
};

/** `/staff/`: the staff console (sign-in page, then the console; its JSON is the staff API under /staff/v1). */
export interface ConsoleDeps {
  sessions: ConsoleSessions;
  logger: Logger;
  limiter?: AuthLimiter;
  /** an audit entry for each facility the member reaches (sign-in and sign-out) */
  audit?: (member: StaffMember, action: 'staff.login' | 'staff.logout') => Promise<void>;
}

export function staffConsoleRoutes(deps: ConsoleDeps): Router {
  const router = new Router();
  const { sessions } = deps;
  const loginPage = (ctx: Koa.Context, error = '', status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = fill(assets.login, { csrf: sessions.loginToken(ctx), error });
  };

  // the router matches "/staff" and "/staff/" alike: only the bare one is sent on (the page's links are relative to /staff/)
  router.get('/staff', (ctx, next) => (ctx.path === '/staff' ? ctx.redirect('/staff/') : next()));
  router.get('/staff/', async (ctx) => {
    const s = await sessions.current(ctx);
    if (!s) return loginPage(ctx);
    ctx.type = 'text/html';
    ctx.body = fill(assets.page, { csrf: s.session.csrf, name: s.member.name, expires: s.session.expiresAt });
  });
  router.post('/staff/login', async (ctx) => {
    const form = await readForm(ctx);
    try {
      await deps.limiter?.check(ctx);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return loginPage(ctx, 'Too many refused tokens from this address. Please wait a few minutes and try again.', e.status);
    }
    const r = sameOrigin(ctx) ? await sessions.login(ctx, form) : 'bad_form';
    if (r === 'bad_form') return loginPage(ctx, 'The sign-in form expired. Please try again.', 403);
    if (r === 'bad_token') {
      await deps.limiter?.refused(ctx);
      deps.logger.info({ event: 'staff.login_refused' }, 'staff console sign-in refused');
      return loginPage(ctx, 'That staff token is not valid.', 401);
    }
    await deps.audit?.(r.member, 'staff.login');
    deps.logger.info({ event: 'staff.login' }, 'staff console signed in');
    ctx.status = 303;
    ctx.redirect('/staff/');
  });
  router.post('/staff/logout', async (ctx) => {
    const s = await sessions.current(ctx);
    const form = await readForm(ctx);
    if (s && (form.csrf !== s.session.csrf || !sameOrigin(ctx))) {
      ctx.status = 403;
      ctx.body = { error: 'csrf', message: 'sign out needs the console’s CSRF token' };
      return;
    }
    await sessions.logout(ctx);
    if (s) await deps.audit?.(s.member, 'staff.logout');
    ctx.status = 303;
    ctx.redirect('/staff/');
  });
  router.get('/staff/console.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = assets.js;
  });
  router.get('/staff/console.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.body = assets.css;
  });
  return router;
}
