import type { SyncDeps } from '../apply.js';
import { personFor, reachOrder } from '../apply.js';
import { visitLines } from '../../core/knowledge.js';
import { CHOICE, noticeMessage, pushNotice, type NoticeDescriptor } from '../notices.js';
import { rebooked, type CarePayload } from './care.js';
import { workflowsFor } from './settings.js';
import { nextSlots, nudgeDescriptor, optedOut } from './nudge.js';

export type CareResult = 'sent' | 'stale' | 'stopped' | 'no_contact' | 'nothing_to_say';

/** A care job fires: its stop conditions are read now (not when it was planned), then one message, id from the job's. */
export async function fireCare(deps: SyncDeps, jobId: string, p: CarePayload): Promise<CareResult> {
  const f = deps.facility(p.facilityId);
  if (!f) return 'stale';
  const id = (await deps.store.appointments.resolveId(f.id, p.appointmentId)) ?? p.appointmentId;
  const appt = await deps.store.appointments.get(f.id, id);
  if (!appt) return 'stale';
  const wf = workflowsFor(f, appt);
  let d: NoticeDescriptor;
  const doctor = (await deps.calendarName(f.id, appt.calendarId)) ?? '';
  const params = { clinic: f.name, startAt: appt.start, doctor, reference: appt.appointmentId };
  if (p.kind === 'seeYou') {
    // moved, unconfirmed again, closed or already begun: the see-you of that time has nothing left to say
    if (!wf.seeYou || appt.status !== 'CONFIRMED' || Date.parse(appt.start) !== Date.parse(p.start) || Date.parse(appt.start) <= deps.now()) return 'stale';
    const details = visitLines(f, appt.calendarId, appt.appointmentTypeId, false);
    if (details.length === 0) return 'nothing_to_say';
    d = { key: 'workflow.seeYou', params: { ...params, details } };
  } else if (p.kind === 'nudge') {
    // read now: booked again since, or said STOP, or gone (erased): no offer
    if (!wf.rebookNudge || (appt.status !== 'CANCELED' && appt.status !== 'NO SHOW')) return 'stale';
    if (await rebooked(deps, appt)) return 'stopped';
    const who = appt.contactId ? await deps.store.contacts.get(f.id, appt.contactId) : undefined;
    if (!who) return 'no_contact';
    if (optedOut(who)) return 'stopped';
    d = nudgeDescriptor(appt, await nextSlots(deps, f, appt), params);
  } else {
    if (!wf.followUp || appt.status !== 'SHOW') return 'stale';
    if (await rebooked(deps, appt)) return 'stopped';
    d = { key: 'workflow.followUp', params, choices: [{ id: CHOICE.book, key: 'workflow.choice.bookFollowUp' }] };
  }
  const contact = appt.contactId ? await deps.store.contacts.get(f.id, appt.contactId) : undefined;
  if (!contact) return 'no_contact';
  const person = await personFor(deps, f.id, appt, contact);
  if (person) d = { ...d, lead: { key: 'person.about', params: { person } } };
  // a nudge is an offer, not news of the booking: never outside a messaging window, never an SMS fallback
  const purpose = p.kind === 'nudge' ? 'care' : p.kind === 'followUp' ? 'reminder' : 'update';
  const msg = noticeMessage({ id: `send:${jobId}`, facility: f, contact, purpose, descriptor: d, appointmentId: appt.appointmentId, render: deps.render, reachOrder: reachOrder(deps) });
  if (!msg) {
    deps.logger.warn({ facilityId: f.id, appointmentId: appt.appointmentId, kind: p.kind }, 'contact has no address; care message not sent');
    return 'no_contact';
  }
  await pushNotice(deps, msg);
  return 'sent';
}
