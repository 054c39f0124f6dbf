import { createHash } from 'node:crypto';
import type { Appointment } from '../core/domain.js';
import type { JobQueue, JobSpec } from '../jobs/types.js';
import { applyProviderEvent, fireReminder, REMINDER_JOB, syncReminders, type ReminderPayload, type SyncDeps } from './apply.js';
import type { ProviderEvent } from './events.js';
import { BROADCAST_JOB, runBroadcast, type BroadcastDeps } from './broadcast.js';
import { CARE_JOB, type CarePayload } from './workflows/care.js';
import { fireCare } from './workflows/fire.js';

/** an appointment changed in a conversation (booked, moved, canceled): its reminders follow, off the turn */
export const APPOINTMENT_CHANGED_JOB = 'appointment.changed';

interface AppointmentChanged {
  facilityId: string;
  appointmentId: string;
}

/**
 * The event the engine raises when a turn changed an appointment. One id per state of the appointment
 * (start, status): a repeat of the same change is one job; a later change is another.
 */
export function appointmentChangedJob(appt: Appointment): JobSpec<AppointmentChanged> {
  const state = createHash('sha256').update([appt.start, appt.status, appt.calendarId].join('|')).digest('hex').slice(0, 16);
  return { id: `appt-changed:${appt.facilityId}:${appt.appointmentId}:${state}`, name: APPOINTMENT_CHANGED_JOB, payload: { facilityId: appt.facilityId, appointmentId: appt.appointmentId }, attempts: 5 };
}

/** What the sync room adds to the job queue: reminders, broadcasts, reminders following appointment changes, and provider events an older version queued. */
export function registerSyncJobs(queue: JobQueue, deps: BroadcastDeps, hooks: { onReminder?: (result: string) => void; onCare?: (kind: string, result: string) => void } = {}): void {
  queue.register<ReminderPayload>(REMINDER_JOB, async (job) => {
    hooks.onReminder?.(await fireReminder(deps, job.id, job.payload));
  });
  queue.register<CarePayload>(CARE_JOB, async (job) => {
    const result = await fireCare(deps, job.id, job.payload);
    deps.logger.info({ facilityId: job.payload.facilityId, appointmentId: job.payload.appointmentId, kind: job.payload.kind, result }, 'care message');
    hooks.onCare?.(job.payload.kind, result);
  });
  queue.register<{ id: string }>(BROADCAST_JOB, (job) => runBroadcast(deps, job.payload.id));
  queue.register<ProviderEventItem>(PROVIDER_EVENT_JOB, (job) => providerEventHandler(deps)(job.payload));
  queue.register<AppointmentChanged>(APPOINTMENT_CHANGED_JOB, async (job) => {
    const appt = await deps.store.appointments.get(job.payload.facilityId, job.payload.appointmentId);
    if (appt) await syncReminders(deps, appt);
  });
}

/** a provider webhook accepted (verified, stored once): applied in order per appointment */
export interface ProviderEventItem {
  facilityId: string;
  webhookId: string;
  event: ProviderEvent;
}
/** events accepted before the serial queue (jobs of an older version) */
export const PROVIDER_EVENT_JOB = 'provider-event';

/** a provider event's FIFO: its appointment (created before rescheduled), else its patient */
export function providerEventKey(facilityId: string, item: ProviderEvent, webhookId: string): string {
  const data = (item as { data?: { appointment?: { appointmentId?: string }; appointmentId?: string; patientId?: string; temporaryPatientId?: string } }).data;
  const subject = data?.appointment?.appointmentId ?? data?.appointmentId ?? data?.temporaryPatientId ?? data?.patientId ?? webhookId;
  return `${facilityId}:${subject}`;
}

/** the serial queue's item for an accepted webhook: its id de-duplicates, its key orders */
export const providerEventItem = (facilityId: string, webhookId: string, event: ProviderEvent) => ({
  id: `provider:${facilityId}:${webhookId}`,
  key: providerEventKey(facilityId, event, webhookId),
  payload: { facilityId, webhookId, event } satisfies ProviderEventItem,
});

/** Walk 2 after the 2xx: apply one event to the mirror, the contacts, the reminders and the notices. */
export function providerEventHandler(deps: SyncDeps): (item: ProviderEventItem) => Promise<void> {
  return async (p) => {
    const r = await applyProviderEvent(deps, p.facilityId, p.webhookId, p.event);
    deps.logger.info({ facilityId: p.facilityId, type: p.event.type, outcome: r.applied ? 'applied' : r.reason }, 'provider event processed');
  };
}
