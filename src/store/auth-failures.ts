import { createHash } from 'node:crypto';
import { K } from './keys.js';
import type { KeyValue } from './types.js';

/** one client's refused staff sign-ins in the current window */
export interface AuthFailures {
  count: number;
  /** when the window ends (ISO); the record expires then */
  until: string;
}

/** the client's address is never stored: the key is its hash */
const keyOf = (client: string) => K.authFailures(createHash('sha256').update(client).digest('base64url'));

/**
 * Refused staff sign-ins per client (`auth-fail:{hash}`), so a guessed token costs a lockout on every instance.
 * The count is read and written without a lock: two instances racing may each let one extra guess through,
 * which a limit of a handful per quarter hour absorbs.
 */
export class AuthFailureStore {
  constructor(private readonly kv: KeyValue) {}

  async get(client: string, now: Date): Promise<AuthFailures | undefined> {
    const f = await this.kv.get<AuthFailures>(keyOf(client));
    return f && Date.parse(f.until) > now.getTime() ? f : undefined;
  }

  async add(client: string, now: Date, windowMs: number): Promise<AuthFailures> {
    const current = await this.get(client, now);
    const next: AuthFailures = current ? { count: current.count + 1, until: current.until } : { count: 1, until: new Date(now.getTime() + windowMs).toISOString() };
    await this.kv.set(keyOf(client), next, Math.max(1000, Date.parse(next.until) - now.getTime()));
    return next;
  }
}
