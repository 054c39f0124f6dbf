import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FacilityConfig } from '../config/schema.js';
import type { PreviewPart } from '../core/channel.js';
import { PHONE_CHANNEL, type Appointment, type ChannelName, type Contact, type LocaleCode } from '../core/domain.js';
import type { OutboundMessage, Reply } from '../core/messages.js';
import { isClosed } from '../core/status.js';
import { composeBody } from '../core/text.js';
import type { SyncDeps } from './apply.js';
import { describeNotice, pickAddress, pushNotice, type NoticeDescriptor } from './notices.js';
import { personFor, reachOrder } from './apply.js';

export const BROADCAST_JOB = 'broadcast';

export const broadcastRequestSchema = z
  .object({
    facilityId: z.string().min(1),
    date: z.iso.date(),
    calendarId: z.string().min(1).optional(),
    kind: z.enum(['reminder', 'message']),
    text: z.string().trim().min(1).max(1000).optional(),
    dryRun: z.boolean().optional(),
  })
  .refine((r) => r.kind !== 'message' || r.text, { message: 'text is required when kind is "message"', path: ['text'] });

export type BroadcastRequest = z.infer<typeof broadcastRequestSchema>;

export type BroadcastStatus = 'queued' | 'running' | 'done' | 'failed';

export interface BroadcastRecipient {
  messageId: string;
  appointmentId: string;
  contactId?: string;
  /** decided at planning: no contact, no address, or every address forbidden */
  skip?: string;
}

interface BroadcastCounts {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
}

export interface BroadcastRecord {
  id: string;
  request: Omit<BroadcastRequest, 'dryRun'>;
  status: BroadcastStatus;
  recipients: BroadcastRecipient[];
  createdAt: string;
  /** the staff token's name that made it */
  by?: string;
  /** the counts once every send had its outcome (the history reads these instead of every send record) */
  final?: BroadcastCounts;
  error?: string;
}

export interface BroadcastProgress extends BroadcastCounts {
  id: string;
  status: BroadcastStatus;
}

/** One channel's rendering of the broadcast, for the dry run. */
export interface ChannelPreview {
  channel: ChannelName;
  parts: PreviewPart[];
  /** the segments one recipient's message is billed as, when the channel counts them (SMS) */
  segments?: number;
  /** no recipient's first channel: it carries the message when another refuses it (a closed window, not subscribed) */
  fallback?: boolean;
}

export interface BroadcastPlan {
  /** a real run: the request's hash (the same request, the same broadcast); a dry run: `dry_<random>` */
  id: string;
  recipients: number;
  skipped: number;
  byChannel: Record<string, number>;
  viberBotInitiated: number;
  /** the real broadcast of this request already existed (nothing is sent again) */
  repeated: boolean;
  /** that broadcast: its id, when and by whom it was made */
  existing?: { id: string; createdAt: string; by?: string };
  /** dry run: the message as each channel that would carry it renders it */
  preview?: ChannelPreview[];
}

/** A broadcast as the history lists it. */
export interface BroadcastSummary extends BroadcastProgress {
  request: { date: string; calendarId?: string; kind: BroadcastRequest['kind']; text?: string };
  createdAt: string;
  by?: string;
}

export interface BroadcastDeps extends SyncDeps {
  /** the outbox's record of a message: its final status once sent, failed or undeliverable */
  sendStatus(messageId: string): Promise<'queued' | 'sent' | 'failed' | 'undeliverable' | undefined>;
}

/** The same request (facility, date, calendar, kind, text) always has the same id: repeating it sends nothing twice. */
export const broadcastId = (r: BroadcastRequest): string =>
  createHash('sha256').update(JSON.stringify([r.facilityId, r.date, r.calendarId ?? '', r.kind, r.text ?? ''])).digest('hex').slice(0, 20);

/** a dry run is never stored: its id only names it in the audit log, and never matches a real run's (hex) */
const dryRunId = (): string => `dry_${randomBytes(8).toString('hex')}`;

/** why a contact cannot be told, or undefined when a channel (or the phone fallback) can carry it */
export function reachable(c: Contact | undefined, order: readonly ChannelName[] = []): string | undefined {
  if (!c) return 'no_contact';
  const to = pickAddress(c, order);
  if (!to) return 'no_address';
  const states = Object.values(c.channels ?? {});
  if (states.length > 0 && states.every((st) => st?.optedOut)) return 'opted_out';
  // a platform that refuses a bot's message to a user who is not subscribed (Viber): the outbox then falls back to the phone
  const phone = c.channels?.[PHONE_CHANNEL];
  const phoneFallback = !phone?.optedOut && !!(phone?.userId ?? c.phone);
  if (c.channels?.[to.channel]?.subscribed === false && !phoneFallback) return 'not_subscribed';
  return undefined;
}

interface Planned {
  recipient: BroadcastRecipient;
  appt: Appointment;
  contact?: Contact;
}

async function recipientsFor(deps: BroadcastDeps, r: BroadcastRequest, id: string): Promise<Planned[]> {
  const day = await deps.store.appointments.byDay(r.facilityId, r.date);
  const due = day.filter((a) => !isClosed(a.status) && (!r.calendarId || a.calendarId === r.calendarId));
  const seenContacts = new Set<string>();
  const out: Planned[] = [];
  for (const a of due.sort((x, y) => x.start.localeCompare(y.start))) {
    // a staff message goes once per person; a reminder once per appointment
    if (r.kind === 'message' && a.contactId && seenContacts.has(a.contactId)) continue;
    if (a.contactId) seenContacts.add(a.contactId);
    const contact = a.contactId ? await deps.store.contacts.get(r.facilityId, a.contactId) : undefined;
    const skip = reachable(contact, reachOrder(deps));
    out.push({ recipient: { messageId: `bc:${id}:${a.appointmentId}`, appointmentId: a.appointmentId, ...(contact ? { contactId: contact.id } : {}), ...(skip ? { skip } : {}) }, appt: a, ...(contact ? { contact } : {}) });
  }
  return out;
}

function countChannels(deps: BroadcastDeps, planned: readonly Planned[]): { byChannel: Record<string, number>; viberBotInitiated: number } {
  const byChannel: Record<string, number> = {};
  let viberBotInitiated = 0;
  for (const p of planned) {
    if (p.recipient.skip || !p.contact) continue;
    const ch = pickAddress(p.contact, reachOrder(deps))?.channel;
    byChannel[ch ?? 'none'] = (byChannel[ch ?? 'none'] ?? 0) + 1;
    // would a message now open a conversation the platform bills (Viber's bot-initiated messages)?
    if (ch && deps.channels?.get(ch)?.botInitiated?.(p.contact, new Date(deps.now()))) viberBotInitiated += 1;
  }
  return { byChannel, viberBotInitiated };
}

const madeOf = (rec: BroadcastRecord): NonNullable<BroadcastPlan['existing']> => ({ id: rec.id, createdAt: rec.createdAt, ...(rec.by ? { by: rec.by } : {}) });

/**
 * Plans a broadcast. A dry run only counts and renders (its own id, nothing stored or sent); a real run files the
 * record once per identical request and queues its job. `by` is the staff token's name.
 */
export async function planBroadcast(deps: BroadcastDeps, r: BroadcastRequest, by?: string): Promise<BroadcastPlan> {
  const id = broadcastId(r);
  const existing = await deps.store.broadcasts.find<BroadcastRecord>(id);
  const planned = await recipientsFor(deps, r, id);
  const counts = countChannels(deps, planned);
  const skipped = planned.filter((p) => p.recipient.skip).length;
  const made = (rec: BroadcastRecord | undefined) => (rec ? { existing: madeOf(rec) } : {});
  if (r.dryRun) {
    const preview = await previewBroadcast(deps, r, planned, counts.byChannel);
    return { id: dryRunId(), recipients: planned.length, skipped, ...counts, repeated: Boolean(existing), ...made(existing), preview };
  }
  const filed = existing ? { created: false, record: existing } : await fileBroadcast(deps, r, id, planned, by);
  // filed but never started (a crash between the record and its job): queue it again; a pending or finished job id is a no-op
  if (!filed.created && filed.record?.status === 'queued') await deps.queue.enqueue({ id: `bc:${id}`, name: BROADCAST_JOB, payload: { id }, attempts: 5 });
  const repeated = !filed.created;
  return { id, recipients: filed.record?.recipients.length ?? planned.length, skipped, ...counts, repeated, ...(repeated ? made(filed.record) : {}) };
}

async function fileBroadcast(deps: BroadcastDeps, r: BroadcastRequest, id: string, planned: readonly Planned[], by: string | undefined): Promise<{ created: boolean; record: BroadcastRecord | undefined }> {
  const { dryRun: _d, ...request } = r;
  const record: BroadcastRecord = { id, request, status: 'queued', recipients: planned.map((p) => p.recipient), createdAt: new Date(deps.now()).toISOString(), ...(by ? { by } : {}) };
  // claim first: two identical requests at once create one broadcast
  if (!(await deps.store.broadcasts.createOnce(record))) return { created: false, record: await deps.store.broadcasts.find<BroadcastRecord>(id) };
  await deps.queue.enqueue({ id: `bc:${id}`, name: BROADCAST_JOB, payload: { id }, attempts: 5 });
  return { created: true, record };
}

/** what a broadcast says about an appointment: the reminder with its choices, or the staff's text; "For Ana:" when it is about someone else */
function descriptorFor(request: BroadcastRecord['request'], appt: Appointment, calendarName: string | undefined, f: FacilityConfig, person?: string): NoticeDescriptor {
  const clinic = f.name;
  const plain: NoticeDescriptor = request.kind === 'reminder' ? describeNotice('reminder', appt, calendarName, clinic, undefined, f) : { key: 'notice.broadcast', params: { text: request.text ?? '', clinic } };
  return person ? { ...plain, lead: { key: 'person.about', params: { person } } } : plain;
}

/**
 * The dry run's preview: the first reachable recipient's message (their appointment for a reminder), in the
 * facility's locale and without the "For …:" lead, as each channel that would carry someone renders it, plus the
 * phone fallback channel when the facility has one (another channel's refusal lands there).
 */
async function previewBroadcast(deps: BroadcastDeps, r: BroadcastRequest, planned: readonly Planned[], byChannel: Record<string, number>): Promise<ChannelPreview[]> {
  const f = deps.facility(r.facilityId);
  const sample = planned.find((p) => !p.recipient.skip && p.contact);
  if (!f || !sample) return [];
  const calendarName = await deps.calendarName(f.id, sample.appt.calendarId);
  const reply = deps.render(descriptorFor(r, sample.appt, calendarName, f), f.locale as LocaleCode, f.timezone, f.messages);
  return previewChannels(deps, f, byChannel).map(({ channel, fallback }) => {
    const parts = deps.channels?.get(channel)?.preview?.(reply, f) ?? plainPreview(reply);
    const segments = parts.some((p) => p.segments !== undefined) ? parts.reduce((n, p) => n + (p.segments ?? 0), 0) : undefined;
    return { channel, parts, ...(segments !== undefined ? { segments } : {}), ...(fallback ? { fallback } : {}) };
  });
}

/** the channels that carry someone, in reach order, then the configured fallback channels that carry no one first */
function previewChannels(deps: BroadcastDeps, f: FacilityConfig, byChannel: Record<string, number>): { channel: ChannelName; fallback?: boolean }[] {
  const order = reachOrder(deps);
  const rank = (c: string) => (order.includes(c as ChannelName) ? order.indexOf(c as ChannelName) : order.length);
  const carried = (Object.keys(byChannel).filter((c) => c !== 'none' && (byChannel[c] ?? 0) > 0) as ChannelName[]).sort((a, b) => rank(a) - rank(b));
  const fallbacks = (deps.channels?.all ?? []).filter((m) => m.fallbackRank !== undefined && m.configured(f) && !carried.includes(m.name));
  return [...carried.map((channel) => ({ channel })), ...fallbacks.map((m) => ({ channel: m.name, fallback: true }))];
}

/** a channel without a preview of its own (the dev chat): the text, and the choices as buttons */
const plainPreview = (reply: Reply): PreviewPart[] => [{ text: composeBody(reply), ...(reply.choices?.length ? { buttons: reply.choices.map((c) => c.label) } : {}) }];

function messageFor(deps: BroadcastDeps, rec: BroadcastRecord, appt: Appointment, contact: Contact, calendarName: string | undefined, messageId: string, person?: string): OutboundMessage | undefined {
  const f = deps.facility(rec.request.facilityId);
  const to = pickAddress(contact, reachOrder(deps));
  if (!f || !to) return undefined;
  const locale = contact.locale ?? (f.locale as LocaleCode);
  return {
    id: messageId,
    facilityId: f.id,
    channel: to.channel,
    channelUserId: to.userId,
    purpose: rec.request.kind === 'reminder' ? 'reminder' : 'broadcast',
    locale,
    reply: deps.render(descriptorFor(rec.request, appt, calendarName, f, person), locale, f.timezone, f.messages),
    contactId: contact.id,
    appointmentId: appt.appointmentId,
  };
}

/**
 * The broadcast job: hands every recipient's message to the outbox. Message ids are stable per
 * (broadcast, appointment), so a run resumed after a crash sends nobody twice; the channel senders throttle.
 */
export async function runBroadcast(deps: BroadcastDeps, id: string, onProgress?: (n: number) => void): Promise<void> {
  const rec = await deps.store.broadcasts.markRunning<BroadcastRecord>(id);
  if (!rec) return;
  let n = 0;
  for (const r of rec.recipients) {
    n += 1;
    if (r.skip || !r.contactId) continue;
    const [appt, contact] = await Promise.all([deps.store.appointments.get(rec.request.facilityId, r.appointmentId), deps.store.contacts.get(rec.request.facilityId, r.contactId)]);
    if (!appt || !contact) continue;
    const msg = messageFor(deps, rec, appt, contact, await deps.calendarName(rec.request.facilityId, appt.calendarId), r.messageId, await personFor(deps, rec.request.facilityId, appt, contact));
    if (msg) await pushNotice(deps, msg);
    onProgress?.(n);
  }
}

/** every recipient's outcome, from the send records */
async function liveProgress(deps: BroadcastDeps, rec: BroadcastRecord): Promise<BroadcastProgress> {
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  let pending = 0;
  for (const r of rec.recipients) {
    if (r.skip || !r.contactId) {
      skipped += 1;
      continue;
    }
    const s = await deps.sendStatus(r.messageId);
    if (s === 'sent') sent += 1;
    else if (s === 'failed') failed += 1;
    else if (s === 'undeliverable') skipped += 1;
    else pending += 1;
  }
  const total = rec.recipients.length;
  const status: BroadcastStatus = rec.status === 'failed' ? 'failed' : pending === 0 && rec.status !== 'queued' ? 'done' : rec.status;
  return { id: rec.id, status, total, sent, failed, skipped };
}

/** a broadcast's progress, counted now; once done, its counts are kept on the record for the history */
async function progressOf(deps: BroadcastDeps, rec: BroadcastRecord): Promise<BroadcastProgress> {
  const p = await liveProgress(deps, rec);
  const { id: _id, status, ...counts } = p;
  const f = rec.final;
  // a receipt may still turn a `sent` into a `failed`: a later count replaces the kept one
  if (status === 'done' && (!f || f.total !== counts.total || f.sent !== counts.sent || f.failed !== counts.failed || f.skipped !== counts.skipped)) {
    await deps.store.broadcasts.annotate<BroadcastRecord>(rec.id, { final: counts });
  }
  return p;
}

export async function broadcastProgress(deps: BroadcastDeps, id: string): Promise<BroadcastProgress | undefined> {
  const rec = await deps.store.broadcasts.find<BroadcastRecord>(id);
  return rec ? progressOf(deps, rec) : undefined;
}

/** A facility's broadcasts, newest first, with their progress (a finished one's counts as last kept). */
export async function broadcastHistory(deps: BroadcastDeps, facilityId: string, limit: number): Promise<BroadcastSummary[]> {
  const records = await deps.store.broadcasts.recent<BroadcastRecord>(facilityId, limit);
  return Promise.all(
    records.map(async (rec): Promise<BroadcastSummary> => {
      const p = rec.final ? { id: rec.id, status: 'done' as const, ...rec.final } : await progressOf(deps, rec);
      const { date, calendarId, kind, text } = rec.request;
      const request = { date, ...(calendarId ? { calendarId } : {}), kind, ...(text !== undefined ? { text } : {}) };
      return { ...p, request, createdAt: rec.createdAt, ...(rec.by ? { by: rec.by } : {}) };
    }),
  );
}
