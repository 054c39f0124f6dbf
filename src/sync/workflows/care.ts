import type { Appointment } from '../../core/domain.js';
import { isClosed } from '../../core/status.js';
import type { SyncDeps } from '../apply.js';
import { afterAt } from './timing.js';
import { workflowsFor } from './settings.js';

/** the job that sends one care message (see-you, follow-up, rebook nudge, survey) */
export const CARE_JOB = 'care-workflow';
export type CareKind = 'seeYou' | 'followUp' | 'nudge' | 'survey';

export interface CarePayload {
  facilityId: string;
  appointmentId: string;
  kind: CareKind;
  /** the start the message was planned for */
  start: string;
  /** a later try of a job that waited for the patient's chat to go quiet: the first job's id, and how often it waited */
  origin?: string;
  waits?: number;
}

/** Stable ids: one see-you per appointment time, one follow-up, one rebook nudge and one survey per appointment (a repeat enqueue is a no-op). */
export const careJobId = (kind: CareKind, facilityId: string, appointmentId: string, start: string): string =>
  kind === 'seeYou' ? `wf:seeYou:${facilityId}:${appointmentId}:${Date.parse(start) / 1000}` : `wf:${kind}:${facilityId}:${appointmentId}`;

/** After an appointment changed: the care messages its new state calls for, queued once. */
export async function planCare(deps: Pick<SyncDeps, 'facility' | 'queue' | 'now'>, appt: Appointment): Promise<void> {
  const f = deps.facility(appt.facilityId);
  if (!f) return;
  const wf = workflowsFor(f, appt);
  const now = deps.now();
  const jobs: { kind: CareKind; runAt: number }[] = [];
  if (appt.status === 'CONFIRMED' && wf.seeYou) {
    const runAt = afterAt(now, 'PT0S', f.timezone, f.quietHours);
    if (runAt !== undefined && runAt < Date.parse(appt.start)) jobs.push({ kind: 'seeYou', runAt });
  }
  if (appt.status === 'SHOW' && wf.followUp) {
    const runAt = afterAt(now, wf.followUp.after, f.timezone, f.quietHours);
    if (runAt !== undefined) jobs.push({ kind: 'followUp', runAt });
  }
  if (appt.status === 'SHOW' && wf.survey) {
    const runAt = afterAt(now, wf.survey.after, f.timezone, f.quietHours);
    if (runAt !== undefined) jobs.push({ kind: 'survey', runAt });
  }
  // cancelled (in chat or at the desk) or missed: an offer of the doctor's next open times, later
  if ((appt.status === 'CANCELED' || appt.status === 'NO SHOW') && wf.rebookNudge) {
    const runAt = afterAt(now, wf.rebookNudge.after, f.timezone, f.quietHours);
    if (runAt !== undefined) jobs.push({ kind: 'nudge', runAt });
  }
  for (const j of jobs) {
    const payload: CarePayload = { facilityId: f.id, appointmentId: appt.appointmentId, kind: j.kind, start: appt.start };
    await deps.queue.enqueue({ id: careJobId(j.kind, f.id, appt.appointmentId, appt.start), name: CARE_JOB, payload, runAt: j.runAt, attempts: 3 });
  }
}

/** Has the patient booked again since (an open appointment later than this one, same contact or patient)? */
export async function rebooked(deps: Pick<SyncDeps, 'store' | 'now'>, appt: Appointment): Promise<boolean> {
  const { appointments } = deps.store;
  const mine = [
    ...(appt.contactId ? await appointments.byContact(appt.facilityId, appt.contactId) : []),
    ...(appt.patientId ? await appointments.byPatientId(appt.facilityId, appt.patientId) : []),
  ];
  return mine.some((a) => a.appointmentId !== appt.appointmentId && !isClosed(a.status) && Date.parse(a.start) > deps.now());
}
