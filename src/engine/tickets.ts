import { createHash } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { Ticket, TicketMessage } from '../store/tickets.js';
import type { InboxEntry, TurnRecord } from './turn-record.js';

/**
 * A ticket's id names its facility (staff routes check the token reaches it before anything is read) and
 * comes from the event that opened it, so a turn re-applied after a crash opens the same ticket.
 */
export const ticketIdFor = (facilityId: string, eventKey: string): string => `${facilityId}.${createHash('sha256').update(eventKey).digest('hex').slice(0, 16)}`;

export const facilityOfTicket = (ticketId: string): string | undefined => {
  const dot = ticketId.lastIndexOf('.');
  return dot > 0 ? ticketId.slice(0, dot) : undefined;
};

/** A staff member holds this contact's conversation: the bot stays silent, the message goes to the ticket. */
export async function heldByStaff(store: Pick<Store, 'tickets'>, facilityId: string, contactId: string): Promise<boolean> {
  return (await store.tickets.openFor(facilityId, contactId))?.state === 'claimed';
}

/**
 * After a turn: a handoff opens the contact's ticket (one open at a time), a red flag opens one or marks the
 * open one urgent, and while one is open the patient's words and the bot's answers go into its thread.
 * Idempotent: lines are keyed by event and message id.
 */
export async function applyTickets(store: Pick<Store, 'tickets'>, entry: InboxEntry, turn: TurnRecord, onOpened?: (t: Ticket) => Promise<void>, onUrgent?: (t: Ticket) => Promise<void>): Promise<void> {
  const { facilityId, contactId, msg } = entry;
  let ticket = await store.tickets.openFor(facilityId, contactId);
  const reason = turn.handoffs?.[0];
  const flag = turn.redFlag;
  if (!ticket && reason) {
    const id = ticketIdFor(facilityId, entry.key);
    const urgent = flag ? { urgent: true, redFlag: flag.category } : {};
    ticket = await store.tickets.open({ id, facilityId, contactId, channel: msg.channel, channelUserId: msg.channelUserId, reason, ...urgent, createdAt: turn.at });
    // this event opened it (a re-applied turn finds it again; the hook's job id makes a repeat harmless)
    if (ticket.id === id) await onOpened?.(ticket);
  }
  if (!ticket) return;
  if (flag) {
    const wasUrgent = ticket.urgent === true;
    ticket = (await store.tickets.escalate(facilityId, ticket.id, flag.category, turn.at)) ?? ticket;
    // an open ticket turned urgent: staff are alerted again (the hook's job ids make a re-applied turn harmless)
    if (!wasUrgent && ticket.urgent) await onUrgent?.(ticket);
  }
  const lines: TicketMessage[] = [];
  if (msg.text) lines.push({ id: entry.key, from: 'patient', text: msg.text, at: turn.at });
  for (const o of turn.outbound) lines.push({ id: o.id, from: 'bot', text: o.reply.text, at: turn.at });
  if (lines.length) await store.tickets.append(facilityId, ticket.id, lines);
}
