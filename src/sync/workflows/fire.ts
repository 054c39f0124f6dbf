import type { SyncDeps } from '../apply.js';
import { personFor, reachOrder } from '../apply.js';
import { visitLines } from '../../core/knowledge.js';
import { CHOICE, noticeMessage, pushNotice, type NoticeDescriptor } from '../notices.js';
import { rebooked, type CarePayload } from './care.js';
import { workflowsFor, type Workflows } from './settings.js';
import type { FacilityConfig } from '../../config/schema.js';
import type { Appointment, Contact } from '../../core/domain.js';
import { nextSlots, nudgeDescriptor, optedOut } from './nudge.js';
import { recordAsked, surveyDescriptor } from './survey.js';
import { careOrigin, chatting, waitForQuiet } from './pause.js';

export type CareResult = 'sent' | 'stale' | 'stopped' | 'no_contact' | 'nothing_to_say' | 'waiting';

/** A care job fires: its stop conditions are read now (not when it was planned), then one message, id from the job's. */
export async function fireCare(deps: SyncDeps, jobId: string, p: CarePayload): Promise<CareResult> {
  const f = deps.facility(p.facilityId);
  if (!f) return 'stale';
  const id = (await deps.store.appointments.resolveId(f.id, p.appointmentId)) ?? p.appointmentId;
  const appt = await deps.store.appointments.get(f.id, id);
  if (!appt) return 'stale';
  const wf = workflowsFor(f, appt);
  const contact = appt.contactId ? await deps.store.contacts.get(f.id, appt.contactId) : undefined;
  const said = await whatToSay(deps, f, wf, appt, contact, p);
  if (typeof said === 'string') return said;
  if (!contact) return 'no_contact';
  if (p.kind !== 'seeYou' && (await chatting(deps, f.id, contact.id)) && (await waitForQuiet(deps, f, jobId, p))) return 'waiting';
  const person = await personFor(deps, f.id, appt, contact);
  const d = person ? { ...said, lead: { key: 'person.about', params: { person } } } : said;
  // a nudge or a survey is an offer, not news of the booking: never outside a messaging window, never an SMS fallback
  const purpose = p.kind === 'nudge' || p.kind === 'survey' ? 'care' : p.kind === 'followUp' ? 'reminder' : 'update';
  const msg = noticeMessage({ id: `send:${careOrigin(jobId, p)}`, facility: f, contact, purpose, descriptor: d, appointmentId: appt.appointmentId, render: deps.render, reachOrder: reachOrder(deps) });
  if (!msg) {
    deps.logger.warn({ facilityId: f.id, appointmentId: appt.appointmentId, kind: p.kind }, 'contact has no address; care message not sent');
    return 'no_contact';
  }
  // a survey is asked (and answerable until its expiry) before the message can be answered
  const until = p.kind === 'survey' && wf.survey ? await recordAsked(deps, f.id, contact, appt, wf.survey) : undefined;
  await pushNotice(deps, msg, until);
  return 'sent';
}

/** The message of one care job, or why there is none (read now: moved, closed, rebooked, opted out, gone). */
async function whatToSay(deps: SyncDeps, f: FacilityConfig, wf: Workflows, appt: Appointment, contact: Contact | undefined, p: CarePayload): Promise<NoticeDescriptor | CareResult> {
  const doctor = (await deps.calendarName(f.id, appt.calendarId)) ?? '';
  const params = { clinic: f.name, startAt: appt.start, doctor, reference: appt.appointmentId };
  // an offer needs someone to offer it to, who has not said STOP
  const who = (): CareResult | undefined => (!contact ? 'no_contact' : optedOut(contact) ? 'stopped' : undefined);
  switch (p.kind) {
    case 'seeYou': {
      // moved, unconfirmed again, closed or already begun: the see-you of that time has nothing left to say
      if (!wf.seeYou || appt.status !== 'CONFIRMED' || Date.parse(appt.start) !== Date.parse(p.start) || Date.parse(appt.start) <= deps.now()) return 'stale';
      const details = visitLines(f, appt.calendarId, appt.appointmentTypeId, false);
      return details.length === 0 ? 'nothing_to_say' : { key: 'workflow.seeYou', params: { ...params, details } };
    }
    case 'nudge': {
      if (!wf.rebookNudge || (appt.status !== 'CANCELED' && appt.status !== 'NO SHOW')) return 'stale';
      if (await rebooked(deps, appt)) return 'stopped';
      return who() ?? nudgeDescriptor(appt, await nextSlots(deps, f, appt), params);
    }
    case 'survey': {
      if (!wf.survey || appt.status !== 'SHOW') return 'stale';
      return who() ?? surveyDescriptor(appt, wf.survey.lowScore, params);
    }
    case 'followUp': {
      if (!wf.followUp || appt.status !== 'SHOW') return 'stale';
      if (await rebooked(deps, appt)) return 'stopped';
      return { key: 'workflow.followUp', params, choices: [{ id: CHOICE.book, key: 'workflow.choice.bookFollowUp' }] };
    }
  }
}
