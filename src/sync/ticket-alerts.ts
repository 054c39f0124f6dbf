import { DateTime } from 'luxon';
import { Webhook } from 'standardwebhooks';
import type { FacilityConfig } from '../config/schema.js';
import type { LocaleCode } from '../core/domain.js';
import type { OutboundMessage } from '../core/messages.js';
import { isStaffHours, type StaffHours } from '../core/office-hours.js';
import type { JobContext, JobQueue, JobSpec } from '../jobs/types.js';
import type { Logger } from '../log.js';
import { call, type OutboundOutcome } from '../outbound/index.js';
import type { Ticket } from '../store/tickets.js';
import type { Store } from '../store/types.js';

/**
 * Staff alerts for a new ticket (config `staffAlerts`): a text to each staff phone on the facility's SMS
 * channel and/or one `ticket.created` POST signed with Standard Webhooks. Each target is one job with a stable
 * id, so a repeated handoff, a restart or a second instance alerts once; outside staff hours (`hold`) the job
 * waits for the next opening. Nothing about the patient leaves: ids, the facility, the reason.
 */
export const TICKET_ALERT_SMS_JOB = 'ticket.alert.sms';
export const TICKET_ALERT_WEBHOOK_JOB = 'ticket.alert.webhook';
/** the SMS job only hands the text to the outbox, which retries the send itself */
export const SMS_ALERT_ATTEMPTS = 3;
/** one HTTP attempt per run; the queue's backoff (1 s, doubling) spreads 10 runs over about 8 minutes */
export const WEBHOOK_ALERT_ATTEMPTS = 10;
const WEBHOOK_TIMEOUT_MS = 10_000;
const WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;

/** `created`: a new ticket; `urgent`: an open ticket a red flag made urgent */
export type AlertKind = 'created' | 'urgent';

interface AlertPayload {
  facilityId: string;
  ticketId: string;
  /** absent on jobs queued before escalation alerts existed: `created` */
  kind?: AlertKind;
}
/** the number travels with the job: a config edited before a held alert fires cannot redirect it */
interface SmsAlertPayload extends AlertPayload {
  to: string;
}

export interface TicketAlertDeps {
  store: Pick<Store, 'tickets'>;
  facility(id: string): FacilityConfig | undefined;
  /** the outbox */
  send(msg: OutboundMessage): Promise<unknown>;
  text(locale: LocaleCode, key: string, params?: Record<string, unknown>): string;
  logger: Logger;
  now(): number;
  /** where the staff console is served; the SMS and the webhook link to it */
  publicUrl?: string;
}

/** A non-2xx answer (or no answer) from the staff webhook: the job runs again. */
export class StaffWebhookError extends Error {
  constructor(readonly outcome: string) {
    super(`staff alert webhook not delivered: ${outcome}`);
    this.name = 'StaffWebhookError';
  }
}

/** The first instant at or after `at` within staff hours; undefined when the hours never open (from >= to). */
export function nextStaffOpening(at: Date, timezone: string, hours: StaffHours): Date | undefined {
  if (isStaffHours(at, timezone, hours)) return at;
  const [hour, minute] = hours.from.split(':').map(Number) as [number, number];
  const local = DateTime.fromJSDate(at, { zone: timezone });
  for (let d = 0; d <= 7; d++) {
    const open = local.plus({ days: d }).set({ hour, minute, second: 0, millisecond: 0 });
    // a DST gap moves `open` forward: it still has to be within the hours
    if (open > local && isStaffHours(open.toJSDate(), timezone, hours)) return open.toJSDate();
  }
  return undefined;
}

/** when the alerts run: now (undefined), or the next opening when the ticket came outside hours and they are held */
function alertRunAt(facility: FacilityConfig, now: Date, urgent: boolean): number | undefined {
  // a red flag is never held for office hours: the patient was told staff are alerted
  if (urgent || (facility.staffAlerts?.outsideHours ?? 'hold') === 'send' || isStaffHours(now, facility.timezone, facility.staffHours)) return undefined;
  return nextStaffOpening(now, facility.timezone, facility.staffHours)?.getTime();
}

/**
 * The alert jobs of a new ticket: `alert:{ticketId}:sms:{n}` per staff phone, `alert:{ticketId}:webhook`; of a
 * ticket made urgent later: `alert:{ticketId}:urgent:sms:{n}`, `alert:{ticketId}:urgent:webhook` (never held).
 */
export function ticketAlertJobs(ticket: Ticket, facility: FacilityConfig, now: Date, kind: AlertKind = 'created'): JobSpec<AlertPayload | SmsAlertPayload>[] {
  const alerts = facility.staffAlerts;
  if (!alerts) return [];
  const runAt = alertRunAt(facility, now, ticket.urgent === true);
  const when = runAt !== undefined ? { runAt } : {};
  const base = { facilityId: ticket.facilityId, ticketId: ticket.id, ...(kind === 'urgent' ? { kind } : {}) };
  const prefix = kind === 'urgent' ? `alert:${ticket.id}:urgent` : `alert:${ticket.id}`;
  const jobs: JobSpec<AlertPayload | SmsAlertPayload>[] = (alerts.sms ?? []).map((to, n) => ({
    id: `${prefix}:sms:${n}`,
    name: TICKET_ALERT_SMS_JOB,
    payload: { ...base, to },
    attempts: SMS_ALERT_ATTEMPTS,
    ...when,
  }));
  if (alerts.webhook) jobs.push({ id: `${prefix}:webhook`, name: TICKET_ALERT_WEBHOOK_JOB, payload: base, attempts: WEBHOOK_ALERT_ATTEMPTS, ...when });
  return jobs;
}

const consoleUrl = (publicUrl: string | undefined) => (publicUrl ? `${publicUrl.replace(/\/+$/, '')}/staff/` : undefined);

/**
 * The ticket when the alert still matters: a new one until staff take it; an urgent one until it is resolved
 * (whoever claimed it may have stepped away from the console).
 */
async function waitingTicket(deps: TicketAlertDeps, p: AlertPayload): Promise<Ticket | undefined> {
  const t = await deps.store.tickets.get(p.facilityId, p.ticketId);
  if (p.kind === 'urgent') return t && t.state !== 'resolved' ? t : undefined;
  return t?.state === 'waiting' ? t : undefined;
}

async function sendSmsAlert(deps: TicketAlertDeps, job: JobContext<SmsAlertPayload>): Promise<void> {
  const f = deps.facility(job.payload.facilityId);
  const t = await waitingTicket(deps, job.payload);
  const log = { facilityId: job.payload.facilityId, ticketId: job.payload.ticketId, jobId: job.id };
  if (!f?.channels.sms || !t) {
    deps.logger.info(log, 'staff sms alert skipped: the ticket is no longer waiting (or the facility has no sms channel now)');
    return;
  }
  const locale = f.locale as LocaleCode;
  const reason = deps.text(locale, `staffAlert.reasons.${t.reason}`, { defaultValue: t.reason });
  const text = deps.text(locale, job.payload.kind === 'urgent' ? 'staffAlert.smsUrgent' : 'staffAlert.sms', { clinic: f.name, reason, url: consoleUrl(deps.publicUrl) ?? '' });
  // the job id is the message id: the outbox sends one message per id, whoever enqueues it again
  await deps.send({ id: job.id, facilityId: f.id, channel: 'sms', channelUserId: job.payload.to, purpose: 'staff-alert', locale, reply: { text } });
  deps.logger.info(log, 'staff alerted by sms');
}

/** the Standard Webhooks event: ids only (never the patient's name, number or words) */
export function ticketCreatedEvent(t: Ticket, publicUrl: string | undefined, kind: AlertKind = 'created') {
  const url = consoleUrl(publicUrl);
  return { type: kind === 'urgent' ? 'ticket.urgent' : 'ticket.created', timestamp: t.createdAt, data: { ticketId: t.id, facilityId: t.facilityId, reason: t.reason, createdAt: t.createdAt, ...(t.urgent ? { urgent: true } : {}), ...(url ? { url } : {}) } };
}

const delivered = (r: OutboundOutcome): boolean => (r.kind === 'answer' || r.kind === 'too_large') && r.status >= 200 && r.status < 300;
const describeOutcome = (r: OutboundOutcome): string => ('status' in r ? `HTTP ${r.status}` : r.kind);

async function postWebhookAlert(deps: TicketAlertDeps, job: JobContext<AlertPayload>): Promise<void> {
  const hook = deps.facility(job.payload.facilityId)?.staffAlerts?.webhook;
  const t = await waitingTicket(deps, job.payload);
  const log = { facilityId: job.payload.facilityId, ticketId: job.payload.ticketId, jobId: job.id, attempt: job.attempt };
  if (!hook || !t) {
    deps.logger.info(log, 'staff webhook alert skipped: the ticket is no longer waiting');
    return;
  }
  const body = JSON.stringify(ticketCreatedEvent(t, deps.publicUrl, job.payload.kind));
  // signed per attempt (the timestamp is the attempt's); the webhook-id stays the job id, for the receiver's dedupe
  const at = new Date(deps.now());
  const headers = {
    'content-type': 'application/json',
    'webhook-id': job.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(hook.secret).sign(job.id, at, body),
  };
  const r = await call({ url: hook.url, method: 'POST', headers, body }, { attempts: 1, timeoutMs: WEBHOOK_TIMEOUT_MS, maxResponseBytes: WEBHOOK_MAX_RESPONSE_BYTES });
  if (!delivered(r)) {
    deps.logger.warn({ ...log, outcome: describeOutcome(r) }, 'staff webhook alert not delivered');
    throw new StaffWebhookError(describeOutcome(r));
  }
  deps.logger.info(log, 'staff alerted by webhook');
}

export function registerTicketAlerts(queue: JobQueue, deps: TicketAlertDeps): void {
  queue.register<SmsAlertPayload>(TICKET_ALERT_SMS_JOB, (job) => sendSmsAlert(deps, job));
  queue.register<AlertPayload>(TICKET_ALERT_WEBHOOK_JOB, (job) => postWebhookAlert(deps, job), { concurrency: 2 });
}
