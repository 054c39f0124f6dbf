import type { ChannelName } from '../core/domain.js';
import { K } from './keys.js';
import type { Indexes, KeyValue, Locks } from './types.js';

/** Who wrote a line of a ticket's thread. */
export type TicketAuthor = 'patient' | 'bot' | 'staff';

export interface TicketMessage {
  /** the inbound event's key, the outbound message's id: a line written twice (a turn re-applied) is one line */
  id: string;
  from: TicketAuthor;
  text: string;
  at: string;
  /** staff: the token's name */
  by?: string;
}

/**
 * A conversation handed to staff. `waiting`: the bot still answers menu choices, staff have not taken it;
 * `claimed`: a staff member holds it and the bot is silent; `resolved`: handed back to the bot.
 */
export interface Ticket {
  id: string;
  facilityId: string;
  contactId: string;
  channel: ChannelName;
  channelUserId: string;
  state: 'waiting' | 'claimed' | 'resolved';
  /** why staff have it: a handoff reason, or `red_flag` */
  reason: string;
  /** the patient wrote an emergency phrase: staff lists show it first */
  urgent?: boolean;
  /** which kind of emergency phrase (flows/red-flags.ts), never the words */
  redFlag?: string;
  claimedBy?: string;
  appointmentId?: string;
  messages: TicketMessage[];
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
}

/** a thread is kept to its latest lines (a chat that goes on for days is not a log) */
export const TICKET_MESSAGES_MAX = 200;
/** an open ticket nobody touches is dropped after this; a resolved one is kept this long after it closed */
export const OPEN_TICKET_TTL_MS = 90 * 24 * 3600_000;
export const RESOLVED_TICKET_TTL_MS = 30 * 24 * 3600_000;

/**
 * Tickets: `ticket:{f}:{id}` (the ticket and its thread, personal), `tickets:{f}` (ids by last change) and
 * `ticket-open:{f}:{contactId}` (the contact's open ticket). Every change is under the ticket's lock.
 */
export class TicketStore {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    private readonly locks: Locks,
  ) {}

  get(facilityId: string, id: string): Promise<Ticket | undefined> {
    return this.kv.get<Ticket>(K.ticket(facilityId, id));
  }

  /** the contact's waiting or claimed ticket */
  async openFor(facilityId: string, contactId: string): Promise<Ticket | undefined> {
    const id = await this.kv.get<string>(K.ticketOpen(facilityId, contactId));
    const t = id ? await this.get(facilityId, id) : undefined;
    return t && t.state !== 'resolved' ? t : undefined;
  }

  /** opens a ticket for the contact unless one is open (then that one is returned); idempotent by id */
  async open(init: Omit<Ticket, 'state' | 'messages' | 'updatedAt'>): Promise<Ticket> {
    return this.locks.withLock(`ticket-open:${init.facilityId}:${init.contactId}`, async () => {
      const open = (await this.openFor(init.facilityId, init.contactId)) ?? (await this.get(init.facilityId, init.id));
      if (open) return open;
      const t: Ticket = { ...init, state: 'waiting', messages: [], updatedAt: init.createdAt };
      await this.save(t);
      await this.kv.set(K.ticketOpen(t.facilityId, t.contactId), t.id, OPEN_TICKET_TTL_MS);
      return t;
    });
  }

  /** adds lines to the thread (a line already there is not added again) */
  append(facilityId: string, id: string, lines: TicketMessage[]): Promise<Ticket | undefined> {
    return this.change(facilityId, id, (t) => {
      const known = new Set(t.messages.map((m) => m.id));
      const fresh = lines.filter((l) => l.text.trim() && !known.has(l.id));
      if (fresh.length === 0) return undefined;
      return { ...t, messages: [...t.messages, ...fresh].slice(-TICKET_MESSAGES_MAX), updatedAt: fresh.at(-1)!.at };
    });
  }

  /** marks an open ticket urgent for a red flag (reason `red_flag`, the category); a repeat changes nothing */
  escalate(facilityId: string, id: string, redFlag: string, at: string): Promise<Ticket | undefined> {
    return this.change(facilityId, id, (t) => {
      if (t.state === 'resolved' || (t.urgent && t.reason === 'red_flag' && t.redFlag === redFlag)) return undefined;
      return { ...t, urgent: true, reason: 'red_flag', redFlag, updatedAt: at > t.updatedAt ? at : t.updatedAt };
    });
  }

  /**
   * Applies `fn` to the ticket under its lock and saves what it returns (undefined: no change).
   * Returns the ticket as it is after the change.
   */
  async change(facilityId: string, id: string, fn: (t: Ticket) => Ticket | undefined): Promise<Ticket | undefined> {
    return this.locks.withLock(`ticket:${facilityId}:${id}`, async () => {
      const t = await this.get(facilityId, id);
      if (!t) return undefined;
      const next = fn(t);
      if (!next) return t;
      await this.save(next);
      if (next.state === 'resolved' && t.state !== 'resolved') await this.kv.delete(K.ticketOpen(facilityId, t.contactId));
      return next;
    });
  }

  /** a facility's tickets, latest change first */
  async list(facilityId: string, limit = 200): Promise<Ticket[]> {
    const rows = await this.indexes.range(K.tickets(facilityId), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const out: Ticket[] = [];
    for (const { member } of rows.reverse()) {
      if (out.length >= limit) break;
      const t = await this.get(facilityId, member);
      if (t) out.push(t);
    }
    return out;
  }

  /** a contact's tickets (export, erasure) */
  async ofContact(facilityId: string, contactIds: ReadonlySet<string>): Promise<Ticket[]> {
    return (await this.list(facilityId, Number.MAX_SAFE_INTEGER)).filter((t) => contactIds.has(t.contactId));
  }

  async delete(facilityId: string, t: Ticket): Promise<void> {
    await this.kv.delete(K.ticket(facilityId, t.id));
    await this.indexes.remove(K.tickets(facilityId), t.id);
    if ((await this.kv.get<string>(K.ticketOpen(facilityId, t.contactId))) === t.id) await this.kv.delete(K.ticketOpen(facilityId, t.contactId));
  }

  private async save(t: Ticket): Promise<void> {
    await this.kv.set(K.ticket(t.facilityId, t.id), t, t.state === 'resolved' ? RESOLVED_TICKET_TTL_MS : OPEN_TICKET_TTL_MS);
    await this.indexes.add(K.tickets(t.facilityId), t.id, Date.parse(t.updatedAt));
  }
}
