import type { SendPermission } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';

/**
 * Viber's session: messages within 24 hours of the user's last message are "session" messages; anything
 * else the bot sends is "bot-initiated" (billed separately under Viber's commercial model). The 24 hours
 * from the user's last message follow partner documentation (Gupshup, respond.io), not a Viber page.
 */
export const VIBER_SESSION_MS = 24 * 60 * 60 * 1000;
/** "You can send up to 100 messages to a user within an hour without receiving a reply" (send_message reference). */
export const VIBER_UNANSWERED_CAP = 100;
export const VIBER_UNANSWERED_WINDOW_MS = 60 * 60 * 1000;

const lastInboundMs = (contact: Contact | undefined): number | undefined => {
  const at = contact?.channels?.viber?.lastInboundAt;
  const ms = at ? Date.parse(at) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

/** True when a message to this contact now would open a conversation rather than answer one (broadcast dry-run uses it). */
export function isBotInitiated(contact: Contact | undefined, now: Date): boolean {
  const last = lastInboundMs(contact);
  return last === undefined || now.getTime() - last >= VIBER_SESSION_MS;
}

/**
 * Counts bot messages per user since that user's last message, over a sliding hour. In memory: one
 * instance per process (a multi-instance deployment under-counts; Viber's own status 12 is the backstop).
 */
export class UnansweredCounter {
  private readonly byUser = new Map<string, { since: string | undefined; sentAt: number[] }>();

  private entry(key: string, since: string | undefined, now: number) {
    let e = this.byUser.get(key);
    if (!e || e.since !== since) {
      e = { since, sentAt: [] };
      this.byUser.set(key, e);
    }
    e.sentAt = e.sentAt.filter((t) => now - t < VIBER_UNANSWERED_WINDOW_MS);
    return e;
  }

  /** bot messages to this user in the last hour since the user last wrote */
  count(facilityId: string, userId: string, lastInboundAt: string | undefined, now: Date): number {
    return this.entry(`${facilityId}\u0000${userId}`, lastInboundAt, now.getTime()).sentAt.length;
  }

  record(facilityId: string, userId: string, lastInboundAt: string | undefined, now: Date, messages = 1): void {
    const e = this.entry(`${facilityId}\u0000${userId}`, lastInboundAt, now.getTime());
    for (let i = 0; i < messages; i += 1) e.sentAt.push(now.getTime());
  }
}

/**
 * Viber's rules for one message:
 * - a `response` may go to a user who is subscribed, or who wrote within the session (writing subscribes
 *   them, even if our flag lags); a `response` with no contact record answers a message just sent;
 * - anything we push (reminder, update, broadcast, welcome) needs the user subscribed: after an
 *   `unsubscribed` event Viber refuses it (status 6), however recently the user wrote;
 * - anyone else (never subscribed, unsubscribed, unknown) → not_subscribed;
 * - over 100 unanswered messages in the hour → rate_capped.
 * mode `session` inside the session window, `standard` (bot-initiated) outside it.
 */
export function viberPermission(msg: OutboundMessage, contact: Contact | undefined, now: Date, unansweredCount: number): SendPermission {
  if (!contact?.channels?.viber) {
    if (msg.purpose !== 'response' && msg.purpose !== 'human') return { ok: false, reason: 'not_subscribed' };
  } else if (!contact.channels.viber.subscribed) {
    const inSession = !isBotInitiated(contact, now);
    if ((msg.purpose !== 'response' && msg.purpose !== 'human') || !inSession) return { ok: false, reason: 'not_subscribed' };
  }
  if (unansweredCount >= VIBER_UNANSWERED_CAP) return { ok: false, reason: 'rate_capped' };
  return { ok: true, mode: contact?.channels?.viber && isBotInitiated(contact, now) ? 'standard' : 'session' };
}

const stats = { botInitiated: 0, session: 0 };

/** Messages sent since start, by kind (for /metrics). */
export const viberStats = (): { botInitiated: number; session: number } => ({ ...stats });

export function countViberSend(mode: 'session' | 'standard' | 'utility', messages = 1): void {
  if (mode === 'session') stats.session += messages;
  else stats.botInitiated += messages;
}
