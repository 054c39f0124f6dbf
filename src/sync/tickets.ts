import type { OutboundMessage } from '../core/messages.js';
import { isStaffHours } from '../core/office-hours.js';
import type { JobQueue, JobSpec } from '../jobs/types.js';
import type { Ticket } from '../store/tickets.js';
import type { SyncDeps } from './apply.js';

/** a handed-off chat nobody from staff took in time: the patient is told honestly, once */
export const TICKET_UNANSWERED_JOB = 'ticket.unanswered';

interface Unanswered {
  facilityId: string;
  ticketId: string;
}

export function ticketUnansweredJob(t: Ticket, afterMinutes: number): JobSpec<Unanswered> {
  return { id: `unanswered:${t.id}`, name: TICKET_UNANSWERED_JOB, payload: { facilityId: t.facilityId, ticketId: t.id }, runAt: Date.parse(t.createdAt) + afterMinutes * 60_000, attempts: 3 };
}

/**
 * When the job fires: a ticket still waiting, in staff hours, gets "no one has been able to answer yet" (with the
 * facility's phone when it has one). Outside staff hours the handoff already said when someone answers.
 */
export function registerTicketJobs(queue: JobQueue, deps: SyncDeps): void {
  queue.register<Unanswered>(TICKET_UNANSWERED_JOB, async (job) => {
    const f = deps.facility(job.payload.facilityId);
    const t = await deps.store.tickets.get(job.payload.facilityId, job.payload.ticketId);
    if (!f || !t || t.state !== 'waiting' || !isStaffHours(new Date(deps.now()), f.timezone, f.staffHours)) return;
    const contact = await deps.store.contacts.get(f.id, t.contactId);
    const locale = contact?.locale ?? (f.locale as OutboundMessage['locale']);
    const descriptor = f.staffContact ? { key: 'handoff.unansweredWithContact', params: { contact: f.staffContact } } : { key: 'handoff.unanswered' };
    const reply = deps.render(descriptor, locale, f.timezone, f.messages);
    const msg: OutboundMessage = { id: `unanswered:${t.id}`, facilityId: f.id, channel: t.channel, channelUserId: t.channelUserId, purpose: 'update', locale, reply, contactId: t.contactId };
    await deps.store.tickets.append(f.id, t.id, [{ id: msg.id, from: 'bot', text: reply.text, at: new Date(deps.now()).toISOString() }]);
    await deps.send(msg);
    deps.logger.info({ facilityId: f.id, ticketId: t.id }, 'ticket unanswered in time: the patient was told');
  });
}
