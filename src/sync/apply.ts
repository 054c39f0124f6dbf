import { DateTime } from 'luxon';
import type { FacilityConfig } from '../config/schema.js';
import type { Appointment, ChannelName, Contact, Patient, Slot } from '../core/domain.js';
import type { ProviderResult } from '../core/provider.js';
import type { ChannelCatalog } from '../core/channel.js';
import type { OutboundMessage } from '../core/messages.js';
import { canTransition, isClosed } from '../core/status.js';
import type { JobQueue } from '../jobs/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { patientOfAppointment, recipientFor } from '../identity/resolve.js';
import type { ProviderEvent } from './events.js';
import { describeNotice, noticeMessage, pushNotice, type NoticeDescriptor, type NoticeKind, type RenderReply } from './notices.js';
import { planReminders, reminderJobId } from './reminder-plan.js';
import { takeUnsettled } from '../store/unsettled.js';
import { attendanceJob } from './workflows/attendance.js';
import { planCare } from './workflows/care.js';
import { shapeReminder } from './workflows/reminder.js';
import { workflowsFor } from './workflows/settings.js';

export const REMINDER_JOB = 'reminder';

export interface ReminderPayload {
  facilityId: string;
  appointmentId: string;
  start: string;
  offset: string;
  /** the attendance question (README "Care workflows") rather than a reminder */
  kind?: 'attendance';
}

export interface SyncDeps {
  store: Store;
  queue: JobQueue;
  facility(id: string): FacilityConfig | undefined;
  calendarName(facilityId: string, calendarId: string): Promise<string | undefined>;
  render: RenderReply;
  /** the outbox (a push goes through `pushNotice`, which remembers its choices first) */
  send(msg: OutboundMessage): Promise<unknown>;
  logger: Logger;
  now(): number;
  /** the channel registry: the order a notice tries channels in, and what each says about reach */
  channels?: ChannelCatalog;
  /** the provider's open slots (a rebook nudge offers the next ones) */
  availability?(facilityId: string, q: { month: string; calendarId: string; appointmentTypeId: string }): Promise<ProviderResult<Slot[]>>;
}

/** the channels a notice tries, in order */
export const reachOrder = (deps: Pick<SyncDeps, 'channels'>): ChannelName[] => (deps.channels?.all ?? []).map((m) => m.name);

export type ApplyOutcome =
  | { applied: true; notice?: NoticeKind; contactId?: string }
  | { applied: false; reason: 'stale' | 'impossible_transition' | 'unknown_facility' | 'unknown_type' | 'no_contact' };

type AppointmentEvent = Exclude<ProviderEvent, { type: 'patientCreated' } | { type: 'unknown' }>;

const NOTICE: Record<AppointmentEvent['type'], NoticeKind> = {
  appointmentCreated: 'created',
  appointmentRescheduled: 'rescheduled',
  appointmentCanceled: 'canceled',
  appointmentConfirmed: 'confirmed',
  patientCheckedIn: 'checkedIn',
  appointmentNoShow: 'noShow',
};

/** Would the patient learn anything new from this event? Not when the bot made the change (it said so in chat). */
function noticeFor(ev: AppointmentEvent, before: Appointment | undefined, chatCouldNotSay = false, now = Date.now()): NoticeKind | undefined {
  const kind = NOTICE[ev.type];
  if (ev.source === 'bot' && !chatCouldNotSay) return undefined;
  const a = ev.appointment;
  switch (kind) {
    case 'created':
      // a desk entry for a visit already begun (recorded after the fact): no "booked for you" with a past time
      if (Date.parse(a.start) <= now) return undefined;
      return before?.creationNoticeSent ? undefined : kind;
    case 'rescheduled':
      return before && before.start === a.start ? undefined : kind;
    default:
      return before && before.status === a.status ? undefined : kind;
  }
}

/** Starts are kept in the facility's zone: the day index reads the date as written. */
const inZone = (iso: string | undefined, tz: string): string | undefined =>
  iso === undefined ? undefined : (DateTime.fromISO(iso, { setZone: true }).setZone(tz).toISO({ suppressMilliseconds: true }) ?? iso);

const older = (a: string, b: string | undefined) => b !== undefined && Date.parse(a) < Date.parse(b);

/** Reminders follow the appointment: planned for its current start, dropped when it closes. */
export async function syncReminders(deps: SyncDeps, appt: Appointment): Promise<void> {
  const f = deps.facility(appt.facilityId);
  if (!f) return;
  const plan = isClosed(appt.status)
    ? []
    : planReminders({ start: appt.start, offsets: f.reminders, timezone: f.timezone, quietHours: f.quietHours, now: deps.now() });
  const wanted: { id: string; offset: string; runAt: number; kind?: 'attendance' }[] = plan.map((p) => ({ ...p, id: reminderJobId(f.id, appt.appointmentId, p.offset, appt.start) }));
  const attendance = attendanceJob(f, appt, deps.now());
  if (attendance) wanted.push(attendance);
  const previous = appt.reminderJobIds ?? [];
  for (const id of previous) if (!wanted.some((w) => w.id === id)) await deps.queue.cancel(id);
  for (const w of wanted) {
    const payload: ReminderPayload = { facilityId: f.id, appointmentId: appt.appointmentId, start: appt.start, offset: w.offset, ...(w.kind ? { kind: w.kind } : {}) };
    await deps.queue.enqueue({ id: w.id, name: REMINDER_JOB, payload, runAt: w.runAt, attempts: 3 });
  }
  const ids = wanted.map((w) => w.id);
  if (ids.join() !== previous.join()) {
    await deps.store.appointments.upsert(appt.facilityId, appt.appointmentId, (cur) => (cur ? { ...cur, reminderJobIds: ids } : undefined));
  }
  await planCare(deps, appt);
}

async function notify(deps: SyncDeps, f: FacilityConfig, id: string, kind: NoticeKind, appt: Appointment, contact: Contact, shape: (d: NoticeDescriptor) => NoticeDescriptor = (d) => d) {
  const person = await personFor(deps, f.id, appt, contact);
  const described = describeNotice(kind, appt, await deps.calendarName(f.id, appt.calendarId), f.name, person, f);
  const descriptor = shape(described);
  const msg = noticeMessage({ id, facility: f, contact, purpose: kind === 'reminder' ? 'reminder' : 'update', descriptor, appointmentId: appt.appointmentId, render: deps.render, reachOrder: reachOrder(deps) });
  if (!msg) {
    deps.logger.warn({ facilityId: f.id, appointmentId: appt.appointmentId, kind }, 'contact has no address; notice not sent');
    return false;
  }
  await pushNotice(deps, msg);
  return true;
}

/** the first name of the patient a notice is about, when the contact acts for someone else or for several people */
export async function personFor(deps: Pick<SyncDeps, 'store'>, facilityId: string, appt: Appointment, contact: Contact): Promise<string | undefined> {
  const patient = appt.patientRef ? await deps.store.patients.get(facilityId, appt.patientRef) : undefined;
  const name = patient?.name ?? appt.patient.name;
  if (!name) return undefined;
  const link = patient?.links.find((l) => l.contactId === contact.id);
  const several = (await deps.store.patients.ofContact(facilityId, contact.id)).length > 1;
  return link?.relationship === 'self' && !several ? undefined : name.trim().split(/\s+/)[0];
}

async function applyAppointmentEvent(deps: SyncDeps, f: FacilityConfig, eventId: string, ev: AppointmentEvent): Promise<ApplyOutcome> {
  const { appointments, contacts } = deps.store;
  const id = (await appointments.resolveId(f.id, ev.appointment.appointmentId)) ?? ev.appointment.appointmentId;
  const before = await appointments.get(f.id, id);
  if (before && older(ev.occurredAt, before.lastEventAt)) return { applied: false, reason: 'stale' };
  if (before && !canTransition(before.status, ev.appointment.status)) {
    deps.logger.warn({ facilityId: f.id, appointmentId: id, from: before.status, to: ev.appointment.status }, 'impossible status transition kept out of the mirror');
    return { applied: false, reason: 'impossible_transition' };
  }
  const patient = await patientOfAppointment(deps.store, f.id, f.country, ev.appointment);
  // the bot's own bookings are told to the conversation that made them (recorded by the engine)
  const recipient = before?.contactId
    ? await contacts.get(f.id, before.contactId)
    : await recipientFor(deps.store, f.id, f.country, ev.appointment, patient, ev.source !== 'bot');
  if (recipient && !before?.bookedBy) await linkRecipient(deps, f.id, patient, recipient);
  const match = recipient ? { contact: recipient } : undefined;
  // the bot's change whose chat turn lost the provider's answer (so the chat could not say it happened) is announced all the same
  const unsettled = ev.source === 'bot' ? await takeUnsettled(deps.store.backend, f.id, NOTICE[ev.type], ev.appointment, [id, ...(before?.previousIds ?? [])]) : undefined;
  const notice = noticeFor(ev, before, !!unsettled, deps.now());
  let refused: ApplyOutcome | undefined;
  const after = await appointments.upsert(f.id, id, (cur) => {
    // the same checks again, now under the appointment's lock
    if (cur && older(ev.occurredAt, cur.lastEventAt)) {
      refused = { applied: false, reason: 'stale' };
      return undefined;
    }
    if (cur && !canTransition(cur.status, ev.appointment.status)) {
      refused = { applied: false, reason: 'impossible_transition' };
      return undefined;
    }
    const end = inZone(ev.appointment.end, f.timezone);
    const next: Appointment = {
      ...cur,
      ...ev.appointment,
      start: inZone(ev.appointment.start, f.timezone)!,
      ...(end ? { end } : {}),
      appointmentId: id,
      facilityId: f.id,
      source: cur?.source ?? ev.source ?? 'staff',
      lastEventAt: ev.occurredAt,
    };
    // a bot booking whose answer the chat lost belongs to that chat's contact, as if the chat had recorded it
    const contactId = cur?.contactId ?? match?.contact.id ?? unsettled?.contactId;
    if (contactId) next.contactId = contactId;
    next.patientRef = cur?.patientRef ?? patient.id;
    if (notice === 'created' || ev.source === 'bot') next.creationNoticeSent = true;
    return next;
  });
  if (refused) return refused;
  if (!after) return { applied: false, reason: 'stale' };
  await syncReminders(deps, after);
  const to = match?.contact ?? (unsettled ? await contacts.get(f.id, unsettled.contactId) : undefined);
  if (notice && to) await notify(deps, f, `pwh:${f.id}:${eventId}`, notice, after, to);
  return { applied: true, ...(notice ? { notice } : {}), ...(match ? { contactId: match.contact.id } : {}) };
}

/**
 * The recipient of a desk booking has proved the appointment's phone (or is that phone's SMS contact):
 * it may act for this patient from now on. A contact reached some other way gets no link.
 */
async function linkRecipient(deps: SyncDeps, facilityId: string, patient: Patient, recipient: Contact): Promise<void> {
  if (!recipient.phoneVerifiedAt || !recipient.phone || !(patient.phones ?? []).includes(recipient.phone)) return;
  if (patient.links.some((l) => l.contactId === recipient.id && l.verified)) return;
  await deps.store.patients.link(facilityId, patient.id, {
    contactId: recipient.id,
    relationship: recipient.name && recipient.name.toLowerCase() === patient.name?.toLowerCase() ? 'self' : 'other',
    verified: true,
    how: 'desk',
    since: new Date(deps.now()).toISOString(),
  });
}

/** contract §3: the permanent id goes to exactly the patient that held the temporary id */
async function applyPatientCreated(deps: SyncDeps, f: FacilityConfig, ev: Extract<ProviderEvent, { type: 'patientCreated' }>): Promise<ApplyOutcome> {
  const { patients, appointments } = deps.store;
  const tmp = ev.temporaryPatientId;
  const holder = tmp ? await patients.byProviderId(f.id, tmp) : undefined;
  const owner = await patients.byProviderId(f.id, ev.patientId);
  let patient: Patient | undefined;
  if (holder && owner && holder.id !== owner.id) {
    // the hospital says they are one person: one record, each contact keeping the trust it had
    patient = await patients.merge(f.id, owner.id, holder.id);
  } else if (holder) {
    const res = await patients.update(f.id, holder.id, (p) => {
      if (p.patientId && p.patientId !== ev.patientId) p.temporaryPatientIds = [...new Set([...(p.temporaryPatientIds ?? []), p.patientId])];
      p.patientId = ev.patientId;
    });
    patient = res.patient;
  } else patient = owner;
  if (tmp) {
    for (const a of await appointments.byPatientId(f.id, tmp)) {
      await appointments.upsert(f.id, a.appointmentId, (cur) => (cur ? { ...cur, patientId: ev.patientId, ...(patient ? { patientRef: patient.id } : {}) } : undefined));
    }
  }
  const contactId = patient?.links[0]?.contactId;
  return patient ? { applied: true, ...(contactId ? { contactId } : {}) } : { applied: false, reason: 'no_contact' };
}

/** Walk 2 after the 2xx: one provider event into the mirror, the contacts, the reminders and the patient's chat. */
export async function applyProviderEvent(deps: SyncDeps, facilityId: string, eventId: string, ev: ProviderEvent): Promise<ApplyOutcome> {
  const f = deps.facility(facilityId);
  if (!f) return { applied: false, reason: 'unknown_facility' };
  if (ev.type === 'unknown') return { applied: false, reason: 'unknown_type' };
  const key = ev.type === 'patientCreated' ? `sync:${f.id}:patient:${ev.temporaryPatientId ?? ev.patientId}` : `sync:${f.id}:appt:${ev.appointment.appointmentId}`;
  return deps.store.locks.withLock(key, () =>
    ev.type === 'patientCreated' ? applyPatientCreated(deps, f, ev) : applyAppointmentEvent(deps, f, eventId, ev),
  );
}

/** A reminder job fires: still due, same start, not closed → the reminder with confirm / reschedule / cancel. */
export async function fireReminder(deps: SyncDeps, jobId: string, p: ReminderPayload): Promise<'sent' | 'stale' | 'no_contact'> {
  const f = deps.facility(p.facilityId);
  if (!f) return 'stale';
  const id = (await deps.store.appointments.resolveId(f.id, p.appointmentId)) ?? p.appointmentId;
  const appt = await deps.store.appointments.get(f.id, id);
  if (!appt || isClosed(appt.status) || Date.parse(appt.start) !== Date.parse(p.start) || Date.parse(appt.start) <= deps.now()) return 'stale';
  // read when it fires: a confirmation since it was planned leaves nothing to ask
  if (p.kind === 'attendance' && appt.status === 'CONFIRMED') return 'stale';
  // a facility (or type) that reminds only while unanswered: a confirmed appointment gets no later reminder
  if (appt.status === 'CONFIRMED' && !workflowsFor(f, appt).confirmedReminders) return 'stale';
  const contact = appt.contactId ? await deps.store.contacts.get(f.id, appt.contactId) : undefined;
  if (!contact) return 'no_contact';
  const shape = (d: NoticeDescriptor) => shapeReminder(d, appt, f, deps.now(), p.kind === 'attendance');
  return (await notify(deps, f, `send:${jobId}`, 'reminder', appt, contact, shape)) ? 'sent' : 'no_contact';
}
