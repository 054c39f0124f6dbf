import type Koa from 'koa';
import type { AuthFailureStore } from '../store/auth-failures.js';
import type { Logger } from '../log.js';
import { HttpError } from './errors.js';

export interface AuthLimitDeps {
  failures: AuthFailureStore;
  attempts: number;
  windowMinutes: number;
  now: () => Date;
  logger: Logger;
}

/** What a refused staff sign-in costs: a client past `attempts` refusals in the window is refused outright (429). */
export interface AuthLimiter {
  /** throws 429 (with Retry-After) while the client is locked out; checked before the token is looked at */
  check(ctx: Koa.Context): Promise<void>;
  /** counts a refused token */
  refused(ctx: Koa.Context): Promise<void>;
}

export function authLimiter(deps: AuthLimitDeps): AuthLimiter {
  const windowMs = deps.windowMinutes * 60_000;
  // ctx.ip honours `trustProxy`: behind a proxy without it every client is the proxy (one lockout for all)
  const client = (ctx: Koa.Context) => ctx.ip || 'unknown';
  return {
    async check(ctx) {
      const f = await deps.failures.get(client(ctx), deps.now());
      if (!f || f.count < deps.attempts) return;
      ctx.set('Retry-After', String(Math.max(1, Math.ceil((Date.parse(f.until) - deps.now().getTime()) / 1000))));
      throw new HttpError(429, 'too_many_attempts', 'too many refused staff tokens from this address; try again later');
    },
    async refused(ctx) {
      const f = await deps.failures.add(client(ctx), deps.now(), windowMs);
      if (f.count === deps.attempts) deps.logger.warn({ event: 'staff.auth_locked', minutes: deps.windowMinutes }, 'staff sign-in locked for a client after repeated refused tokens');
    },
  };
}
