import { createHash } from 'node:crypto';
import { K } from './keys.js';
import type { KeyValue } from './types.js';

/** A signed-in staff console: who, through which token (its digest), its CSRF token, until when. */
export interface StaffSession {
  /** the staff member's name (the audit log's "who") */
  name: string;
  /** sha256 of the staff token it was opened with: a token removed from the config ends its sessions */
  tokenDigest: string;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

/** the cookie's value is never stored: the key is its hash, so a copy of the store opens no console */
const keyOf = (sessionId: string) => K.staffSession(createHash('sha256').update(sessionId).digest('base64url'));

/** Staff console sessions: `staff-session:{hash}`, kept until they expire (TTL) or the member logs out. */
export class StaffSessionStore {
  constructor(private readonly kv: KeyValue) {}

  async get(sessionId: string, now: Date): Promise<StaffSession | undefined> {
    const s = await this.kv.get<StaffSession>(keyOf(sessionId));
    return s && Date.parse(s.expiresAt) > now.getTime() ? s : undefined;
  }

  save(sessionId: string, session: StaffSession, now: Date): Promise<void> {
    return this.kv.set(keyOf(sessionId), session, Math.max(1000, Date.parse(session.expiresAt) - now.getTime()));
  }

  delete(sessionId: string): Promise<boolean> {
    return this.kv.delete(keyOf(sessionId));
  }
}
