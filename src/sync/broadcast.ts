import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PHONE_CHANNEL, type Appointment, type ChannelName, type Contact, type LocaleCode } from '../core/domain.js';
import type { OutboundMessage } from '../core/messages.js';
import { isClosed } from '../core/status.js';
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

export interface BroadcastRecord {
  id: string;
  request: Omit<BroadcastRequest, 'dryRun'>;
  status: BroadcastStatus;
  recipients: BroadcastRecipient[];
  createdAt: string;
  error?: string;
}

export interface BroadcastProgress {
  id: string;
  status: BroadcastStatus;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
}

export interface BroadcastDeps extends SyncDeps {
  /** the outbox's record of a message: its final status once sent, failed or undeliverable */
  sendStatus(messageId: string): Promise<'queued' | 'sent' | 'failed' | 'undeliverable' | undefined>;
}

/** The same request (facility, date, calendar, kind, text) always has the same id: repeating it sends nothing twice. */
export const broadcastId = (r: BroadcastRequest): string =>
  createHash('sha256').update(JSON.stringify([r.facilityId, r.date, r.calendarId ?? '', r.kind, r.text ?? ''])).digest('hex').slice(0, 20);

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

async function recipientsFor(deps: BroadcastDeps, r: BroadcastRequest, id: string) {
  const day = await deps.store.appointments.byDay(r.facilityId, r.date);
  const due = day.filter((a) => !isClosed(a.status) && (!r.calendarId || a.calendarId === r.calendarId));
  const seenContacts = new Set<string>();
  const out: { recipient: BroadcastRecipient; appt: Appointment; contact?: Contact }[] = [];
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

export async function planBroadcast(deps: BroadcastDeps, r: BroadcastRequest): Promise<{ id: string; recipients: number; skipped: number; byChannel: Record<string, number>; viberBotInitiated: number; existing: boolean }> {
  const id = broadcastId(r);
  const existing = await deps.store.broadcasts.find<BroadcastRecord>(id);
  const planned = await recipientsFor(deps, r, id);
  const byChannel: Record<string, number> = {};
  let viberBotInitiated = 0;
  for (const p of planned) {
    if (p.recipient.skip || !p.contact) continue;
    const ch = pickAddress(p.contact, reachOrder(deps))?.channel;
    byChannel[ch ?? 'none'] = (byChannel[ch ?? 'none'] ?? 0) + 1;
    // would a message now open a conversation the platform bills (Viber's bot-initiated messages)?
    if (ch && deps.channels?.get(ch)?.botInitiated?.(p.contact, new Date(deps.now()))) viberBotInitiated += 1;
  }
  const skipped = planned.filter((p) => p.recipient.skip).length;
  if (r.dryRun) return { id, recipients: planned.length, skipped, byChannel, viberBotInitiated, existing: Boolean(existing) };
  if (!existing) {
    const { dryRun: _d, ...request } = r;
    const record: BroadcastRecord = { id, request, status: 'queued', recipients: planned.map((p) => p.recipient), createdAt: new Date(deps.now()).toISOString() };
    // claim first: two identical requests at once create one broadcast
    if (await deps.store.broadcasts.createOnce(record)) {
      await deps.queue.enqueue({ id: `bc:${id}`, name: BROADCAST_JOB, payload: { id }, attempts: 5 });
    }
  }
  const rec = (await deps.store.broadcasts.find<BroadcastRecord>(id)) ?? existing;
  return { id, recipients: rec?.recipients.length ?? planned.length, skipped, byChannel, viberBotInitiated, existing: Boolean(existing) };
}

function messageFor(deps: BroadcastDeps, rec: BroadcastRecord, appt: Appointment, contact: Contact, calendarName: string | undefined, messageId: string, person?: string): OutboundMessage | undefined {
  const f = deps.facility(rec.request.facilityId);
  const to = pickAddress(contact, reachOrder(deps));
  if (!f || !to) return undefined;
  const locale = contact.locale ?? (f.locale as LocaleCode);
  const plain: NoticeDescriptor =
    rec.request.kind === 'reminder' ? describeNotice('reminder', appt, calendarName, f.name, person) : { key: 'notice.broadcast', params: { text: rec.request.text ?? '', clinic: f.name } };
  const descriptor: NoticeDescriptor = person && rec.request.kind !== 'reminder' ? { ...plain, lead: { key: 'person.about', params: { person } } } : plain;
  return {
    id: messageId,
    facilityId: f.id,
    channel: to.channel,
    channelUserId: to.userId,
    purpose: rec.request.kind === 'reminder' ? 'reminder' : 'broadcast',
    locale,
    reply: deps.render(descriptor, locale, f.timezone),
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

export async function broadcastProgress(deps: BroadcastDeps, id: string): Promise<BroadcastProgress | undefined> {
  const rec = await deps.store.broadcasts.find<BroadcastRecord>(id);
  if (!rec) return undefined;
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
  return { id, status, total, sent, failed, skipped };
}
