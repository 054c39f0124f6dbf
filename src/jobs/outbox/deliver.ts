import type { ChannelSender } from '../../core/channel.js';
import type { ChannelName, Contact } from '../../core/domain.js';
import type { OutboundMessage, SendOutcome, SendPurpose } from '../../core/messages.js';
import type { SendRecord } from '../../store/send-records.js';
import { finish, initialRecord, isPhoneChannel, type OutboxContext } from './context.js';

/** The send path of the outbox (src/jobs/outbox.ts): one attempt of one message, on its channel or a fallback. */

const E164 = /^\+[1-9]\d{6,14}$/;
/** purposes worth an SMS when the patient's own channel refuses (never a conversational response) */
const FALLBACK_PURPOSES: readonly SendPurpose[] = ['update', 'reminder', 'broadcast'];

class RetryLater extends Error {}

/** one send attempt: the record as it stands, to whom, and whether another attempt follows */
interface Attempt {
  rec: SendRecord;
  msg: OutboundMessage;
  contact: Contact | undefined;
  now: Date;
  lastAttempt: boolean;
}

/** what went to one recipient, by when it was sent: a receipt that says "read up to here" (Messenger's watermark) needs it */
const noteSent = (cx: OutboxContext, rec: SendRecord, msg: OutboundMessage) =>
  cx.records.noteSentTo(msg.facilityId, msg.channel, msg.channelUserId, rec.id, cx.clock().getTime());

async function findContact(cx: OutboxContext, msg: OutboundMessage): Promise<Contact | undefined> {
  const c = msg.contactId ? await cx.contacts.get(msg.facilityId, msg.contactId) : undefined;
  // a text to a number that is not the contact's own (a code to a typed phone): that number's rules apply
  const own = c?.channels?.[msg.channel];
  if (c && (!isPhoneChannel(cx, msg.channel) || !own || own.userId === msg.channelUserId)) return c;
  return (await cx.contacts.byChannelUser(msg.facilityId, msg.channel, msg.channelUserId)) ?? c;
}

/** the platform said the user opted out or left (Twilio 21610, Viber 6): its module records it on the contact */
async function markOptedOut(cx: OutboxContext, msg: OutboundMessage, contact: Contact | undefined): Promise<void> {
  const { contacts } = cx;
  const own = contact?.channels?.[msg.channel];
  const target = contact && (!own || own.userId === msg.channelUserId) ? contact : await contacts.byChannelUser(msg.facilityId, msg.channel, msg.channelUserId);
  if (!target) return;
  const learn = cx.channels.get(msg.channel)?.learn;
  if (!learn) return;
  const at = cx.clock().toISOString();
  await contacts.update(msg.facilityId, target.id, (c) => ({ ...c, channels: { ...c.channels, [msg.channel]: learn(c.channels?.[msg.channel] ?? { userId: msg.channelUserId }, { kind: 'opted_out', at }) } }));
  cx.log?.info({ messageId: msg.id, facilityId: msg.facilityId, contactId: target.id, channel: msg.channel }, 'recipient marked opted out by the platform');
}

/** the copy of a refused message on a phone channel (SMS), when the rules allow one: to the contact's mobile
 * (given in chat or by the desk), unless that number opted out there anywhere */
async function phoneFallback(cx: OutboxContext, msg: OutboundMessage, contact: Contact | undefined): Promise<{ sender: ChannelSender; msg: OutboundMessage } | undefined> {
  if (!FALLBACK_PURPOSES.includes(msg.purpose)) return undefined;
  for (const m of cx.fallbacks) {
    const sender = cx.senders[m.name];
    if (!sender || m.name === msg.channel) continue;
    const state = contact?.channels?.[m.name];
    // the address on a phone-addressed channel (a WhatsApp number) is that person's phone too
    const ownPhone = isPhoneChannel(cx, msg.channel) && E164.test(msg.channelUserId) ? msg.channelUserId : undefined;
    const phone = state?.userId ?? ownPhone ?? contact?.phone;
    if (!phone || state?.optedOut) continue;
    const owner = await cx.contacts.byChannelUser(msg.facilityId, m.name, phone);
    if (owner?.channels?.[m.name]?.optedOut) continue;
    return { sender, msg: { ...msg, channel: m.name, channelUserId: phone } };
  }
  return undefined;
}

/** records the outcome of one send; throws RetryLater when the job should run again */
async function settle(cx: OutboxContext, a: Attempt, msg: OutboundMessage, outcome: Exclude<SendOutcome, { status: 'undeliverable' }>, fallbackFrom?: ChannelName): Promise<void> {
  const { rec } = a;
  const via = { channel: msg.channel, ...(fallbackFrom ? { fallbackFrom } : {}) };
  if (outcome.status === 'sent') {
    const ids = outcome.platformMessageId ? [...rec.platformMessageIds, outcome.platformMessageId] : rec.platformMessageIds;
    if (outcome.platformMessageId) await cx.records.notePlatformId(msg.channel, outcome.platformMessageId, rec.id);
    if (cx.channels.get(msg.channel)?.keepsSentIds) await noteSent(cx, rec, msg);
    await finish(cx, rec, 'sent', { ...via, platformMessageIds: ids, reason: undefined, code: undefined });
    return;
  }
  const optedOut = cx.channels.get(msg.channel)?.optedOut?.(outcome) ?? false;
  if (optedOut) await markOptedOut(cx, msg, a.contact);
  const failure = { ...via, reason: outcome.reason, ...(outcome.code ? { code: outcome.code } : {}) };
  if (outcome.retryable && !a.lastAttempt && !optedOut) {
    await cx.records.save({ ...rec, ...failure, updatedAt: cx.clock().toISOString() });
    throw new RetryLater(`send failed (${outcome.reason}); retrying`);
  }
  await finish(cx, rec, 'failed', failure);
}

/** sends on the message's own channel: undefined once the outcome is settled, else why the channel refused */
async function sendOnOwnChannel(cx: OutboxContext, a: Attempt): Promise<string | undefined> {
  const primary = cx.senders[a.msg.channel];
  if (!primary) return 'no_channel';
  const permission = primary.permission(a.msg, a.contact, a.now);
  if (!permission.ok) return permission.reason;
  const outcome = await primary.send(a.msg, a.contact, a.now);
  if (outcome.status === 'undeliverable') return outcome.reason;
  await settle(cx, a, a.msg, outcome);
  return undefined;
}

/** the message's own channel refused it: a copy on a fallback channel, or the record says undeliverable */
async function sendFallback(cx: OutboxContext, a: Attempt, refusal: string): Promise<void> {
  const { rec, contact, now } = a;
  const fallback = await phoneFallback(cx, a.msg, contact);
  if (!fallback) {
    await finish(cx, rec, 'undeliverable', { reason: refusal });
    return;
  }
  const smsPermission = fallback.sender.permission(fallback.msg, contact, now);
  if (!smsPermission.ok) {
    await finish(cx, rec, 'undeliverable', { reason: refusal, code: `${fallback.msg.channel}:${smsPermission.reason}` });
    return;
  }
  const outcome = await fallback.sender.send(fallback.msg, contact, now);
  if (outcome.status === 'undeliverable') {
    await finish(cx, rec, 'undeliverable', { reason: refusal, code: `${fallback.msg.channel}:${outcome.reason}` });
    return;
  }
  await settle(cx, a, fallback.msg, outcome, a.msg.channel);
}

/** one send attempt of one message */
async function deliver(cx: OutboxContext, msg: OutboundMessage, attempt: number, maxAttempts: number): Promise<void> {
  const stored = await cx.records.find(msg.id);
  if (stored && stored.status !== 'queued') {
    cx.log?.debug({ messageId: msg.id, status: stored.status }, 'message already settled; not sent again');
    return;
  }
  const rec: SendRecord = { ...(stored ?? initialRecord(cx, msg)), attempts: (stored?.attempts ?? 0) + 1, updatedAt: cx.clock().toISOString() };
  await cx.records.save(rec);
  const lastAttempt = attempt >= maxAttempts;
  const now = cx.clock();
  const contact = await findContact(cx, msg);
  const a: Attempt = { rec, msg, contact, now, lastAttempt };
  const refusal = await sendOnOwnChannel(cx, a);
  if (refusal !== undefined) await sendFallback(cx, a, refusal);
}

/** a failure outside the send itself (store, contact lookup) on the last attempt still leaves a final record */
export async function deliverOrRecord(cx: OutboxContext, msg: OutboundMessage, job: { attempt: number }, maxAttempts: number): Promise<void> {
  try {
    await deliver(cx, msg, job.attempt, maxAttempts);
  } catch (e) {
    if (e instanceof RetryLater || job.attempt < maxAttempts) throw e;
    const rec = await cx.records.find(msg.id);
    if (rec?.status === 'queued') await finish(cx, rec, 'failed', { reason: `internal: ${e instanceof Error ? e.message : String(e)}` });
    throw e;
  }
}
