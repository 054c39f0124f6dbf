import { createHash } from 'node:crypto';
import type { DeliveryReceipt, ChannelSender } from '../core/channel.js';
import type { ChannelName, Contact } from '../core/domain.js';
import type { OutboundMessage, SendOutcome, SendPurpose } from '../core/messages.js';
import type { Logger } from '../log.js';
import type { ContactRepo, Indexes, KeyValue, SerialLog } from '../store/types.js';
import { createSerialQueue, type SerialQueue } from './serial.js';

/**
 * The outbox: every message to a patient goes through it, as a durable job, and leaves a record.
 *
 * Once per message id: the job id is `send:<message id>` (a second enqueue is a no-op), and the
 * job reads the message's record before sending and does nothing once it is final. What remains:
 * if a worker dies after the platform accepted a message but before the record says `sent`, the
 * job runs again after its lease expires and the patient gets that message twice
 * (at-least-once in that window, which lasts one HTTP round-trip; a lost reply is worse than a
 * repeated one). The record itself holds at most one `sent` per message id.
 *
 * Order: every send is an item of the keyed serial queue (src/jobs/serial.ts) keyed by recipient, so a
 * recipient's messages leave in the order they were handed over, one at a time, on any instance. The
 * replies of one turn are one item (`enqueueBatch`); a retry of it skips what was already sent, and
 * the recipient's later items wait behind it, so order holds across retries too.
 */
export interface SendRecord {
  id: string;
  facilityId: string;
  /** the channel it went (or was to go) out on; `sms` after a fallback */
  channel: ChannelName;
  contactId?: string;
  appointmentId?: string;
  purpose: SendPurpose;
  status: 'queued' | 'sent' | 'failed' | 'undeliverable';
  reason?: string;
  code?: string;
  /** send jobs run for this message */
  attempts: number;
  platformMessageIds: string[];
  /** the platform's latest word on delivery (delivered, read, seen, failed, undelivered …) */
  deliveryStatus?: string;
  /** when the platform said so (receipts older than this are ignored) */
  deliveryAt?: string;
  deliveryErrorCode?: string;
  fallbackFrom?: ChannelName;
  createdAt: string;
  updatedAt: string;
}

export interface OutboxDeps {
  /** the serial queue's log (the store's, or Redis when configured) */
  serial: SerialLog;
  kv: KeyValue;
  indexes: Indexes;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  contacts: ContactRepo;
  now?: () => Date;
  logger?: Logger;
  /** metrics hook: called once per message when it reaches sent, failed or undeliverable */
  onOutcome?: (rec: SendRecord) => void;
  /** key namespace in the store (default `outbox`) */
  namespace?: string;
  /** how long records (and their receipt index) are kept (default 90 days) */
  retentionMs?: number;
  /** recipients served at once by this process (default 8) */
  concurrency?: number;
  /** first retry delay of a send, doubling (default 1 s) */
  retryMs?: number;
  leaseMs?: number;
  pollMs?: number;
}

export interface Outbox {
  /** the recipients' queue (started and stopped with the service) */
  readonly queue: SerialQueue<{ messages: OutboundMessage[] }>;
  /** schedules one message (ledger id `send:<msg.id>`); false when that message was already scheduled or sent */
  enqueue(msg: OutboundMessage): Promise<boolean>;
  /** schedules the replies of one turn as one item that sends them in order */
  enqueueBatch(msgs: OutboundMessage[]): Promise<boolean>;
  record(id: string): Promise<SendRecord | undefined>;
  /** updates deliveryStatus of the message the platform message id belongs to */
  applyReceipt(r: DeliveryReceipt): Promise<void>;
  /** messages that could not be delivered on any channel, oldest first (for staff) */
  undeliverable(facilityId: string): Promise<SendRecord[]>;
  /** outcomes seen by this process since it started */
  stats(): { sent: number; failed: number; undeliverable: number };
}

export const OUTBOUND_QUEUE = 'outbound';
/** a receipt about everything up to a time, not one message (channels/messenger/parse.ts: reads) */
const WATERMARK = 'watermark:';
/** the sender already retried at HTTP level; these are retries of the whole send, minutes apart */
export const SEND_ATTEMPTS = 3;
/** purposes worth an SMS when the patient's own channel refuses (never a conversational response) */
const FALLBACK_PURPOSES: readonly SendPurpose[] = ['update', 'reminder', 'broadcast'];
/** Twilio: "Attempt to send to unsubscribed recipient" — the number replied STOP */
const TWILIO_UNSUBSCRIBED = '21610';

type Final = Exclude<SendRecord['status'], 'queued'>;

/** a code the patient waits for goes ahead of everything; a broadcast's sends behind everything */
const priorityOf = (purpose: SendPurpose): { priority?: 'high' | 'low' } =>
  purpose === 'verification' ? { priority: 'high' } : purpose === 'broadcast' ? { priority: 'low' } : {};
/** one recipient's FIFO */
const recipientKey = (m: OutboundMessage) => `${m.facilityId}:${m.channel}:${m.channelUserId}`;

class RetryLater extends Error {}

export const sendJobId = (messageId: string) => `send:${messageId}`;
export const batchJobId = (msgs: OutboundMessage[]) =>
  `send-batch:${createHash('sha256').update(msgs.map((m) => m.id).join('\n')).digest('hex').slice(0, 32)}`;

export function createOutbox(deps: OutboxDeps): Outbox {
  const { kv, indexes, senders, contacts } = deps;
  const ns = deps.namespace ?? 'outbox';
  const clock = deps.now ?? (() => new Date());
  const log = deps.logger;
  const retentionMs = deps.retentionMs ?? 90 * 24 * 60 * 60_000;
  const counts = { sent: 0, failed: 0, undeliverable: 0 };

  const recKey = (id: string) => `${ns}:rec:${id}`;
  const pmidKey = (channel: ChannelName, pmid: string) => `${ns}:pmid:${channel}:${pmid}`;
  const undeliverableSet = (facilityId: string) => `${ns}:undeliverable:${facilityId}`;
  /** what went to one recipient, by when it was sent: a receipt that says "read up to here" (Messenger's watermark) needs it */
  const sentSet = (facilityId: string, channel: ChannelName, userId: string) => `${ns}:sent:${facilityId}:${channel}:${userId}`;

  async function noteSent(rec: SendRecord, msg: OutboundMessage): Promise<void> {
    const set = sentSet(msg.facilityId, msg.channel, msg.channelUserId);
    const t = clock().getTime();
    await indexes.add(set, rec.id, t);
    // the oldest beyond the send records' retention leave as new ones come
    for (const old of await indexes.range(set, -Number.MAX_SAFE_INTEGER, t - retentionMs, 20)) await indexes.remove(set, old.member);
  }

  /** a watermark receipt: every message to that recipient sent at or before it has that status */
  async function applyWatermark(r: DeliveryReceipt, watermark: number): Promise<void> {
    if (!r.channelUserId || !Number.isFinite(watermark)) return;
    const set = sentSet(r.facilityId, r.channel, r.channelUserId);
    for (const { member } of await indexes.range(set, -Number.MAX_SAFE_INTEGER, watermark)) {
      const rec = await kv.get<SendRecord>(recKey(member));
      if (rec && (!rec.deliveryAt || Date.parse(r.at) >= Date.parse(rec.deliveryAt))) await saveRecord({ ...rec, deliveryStatus: r.status, deliveryAt: r.at, updatedAt: clock().toISOString() });
      // read is as far as a message goes: it needs no later receipt
      if (r.status === 'read') await indexes.remove(set, member);
    }
  }

  const saveRecord = (rec: SendRecord) => kv.set(recKey(rec.id), rec, retentionMs);

  const initialRecord = (msg: OutboundMessage): SendRecord => {
    const at = clock().toISOString();
    return {
      id: msg.id,
      facilityId: msg.facilityId,
      channel: msg.channel,
      ...(msg.contactId ? { contactId: msg.contactId } : {}),
      ...(msg.appointmentId ? { appointmentId: msg.appointmentId } : {}),
      purpose: msg.purpose,
      status: 'queued',
      attempts: 0,
      platformMessageIds: [],
      createdAt: at,
      updatedAt: at,
    };
  };

  /** true when the message may still be sent (no record yet, or queued) */
  async function ensureQueuedRecord(msg: OutboundMessage): Promise<boolean> {
    const rec = await kv.get<SendRecord>(recKey(msg.id));
    if (rec) return rec.status === 'queued';
    // written before the job exists, so a fast worker's outcome is never overwritten by this
    await saveRecord(initialRecord(msg));
    return true;
  }

  async function findContact(msg: OutboundMessage): Promise<Contact | undefined> {
    const c = msg.contactId ? await contacts.get(msg.facilityId, msg.contactId) : undefined;
    // an SMS to a number that is not the contact's own (a code to a typed phone): that number's rules apply
    if (c && (msg.channel !== 'sms' || !c.sms || c.sms.phone === msg.channelUserId)) return c;
    if (c && msg.channel === 'sms' && !c.sms && c.phone === msg.channelUserId) return (await contacts.byChannelUser(msg.facilityId, 'sms', msg.channelUserId)) ?? c;
    return (await contacts.byChannelUser(msg.facilityId, msg.channel, msg.channelUserId)) ?? c;
  }

  async function finish(rec: SendRecord, status: Final, fields: Partial<SendRecord>): Promise<void> {
    const done: SendRecord = { ...rec, ...fields, status, updatedAt: clock().toISOString() };
    await saveRecord(done);
    if (status === 'undeliverable') await indexes.add(undeliverableSet(done.facilityId), done.id, Date.parse(done.createdAt));
    counts[status]++;
    const logFields = { messageId: done.id, facilityId: done.facilityId, channel: done.channel, purpose: done.purpose, reason: done.reason, code: done.code, fallbackFrom: done.fallbackFrom };
    if (status === 'sent') log?.info(logFields, 'message sent');
    else log?.warn(logFields, status === 'failed' ? 'message failed' : 'message undeliverable');
    try {
      deps.onOutcome?.(done);
    } catch (e) {
      log?.error({ messageId: done.id, err: e instanceof Error ? e.message : String(e) }, 'outbox outcome hook failed');
    }
  }

  async function markSmsOptedOut(msg: OutboundMessage, contact: Contact | undefined): Promise<void> {
    const target = contact ?? (await contacts.byChannelUser(msg.facilityId, 'sms', msg.channelUserId));
    if (!target) return;
    await contacts.update(msg.facilityId, target.id, (c) => {
      if (c.sms) c.sms.optedOut = true;
      else c.sms = { phone: msg.channelUserId, optedOut: true };
    });
    log?.info({ messageId: msg.id, facilityId: msg.facilityId, contactId: target.id }, 'sms marked opted out (21610)');
  }

  /** the SMS copy of a refused message, when the rules allow one */
  /** the contact's mobile (given in chat or by the desk), unless that number opted out of SMS anywhere */
  async function smsFallback(msg: OutboundMessage, contact: Contact | undefined): Promise<{ sender: ChannelSender; msg: OutboundMessage } | undefined> {
    const sender = senders.sms;
    if (!sender || msg.channel === 'sms' || !FALLBACK_PURPOSES.includes(msg.purpose)) return undefined;
    const phone = contact?.sms?.phone ?? contact?.phone;
    if (!phone || contact?.sms?.optedOut) return undefined;
    const owner = await contacts.byChannelUser(msg.facilityId, 'sms', phone);
    if (owner?.sms?.optedOut) return undefined;
    return { sender, msg: { ...msg, channel: 'sms', channelUserId: phone } };
  }

  /** records the outcome of one send; throws RetryLater when the job should run again */
  async function settle(rec: SendRecord, msg: OutboundMessage, outcome: Exclude<SendOutcome, { status: 'undeliverable' }>, contact: Contact | undefined, lastAttempt: boolean, fallbackFrom?: ChannelName): Promise<void> {
    const via = { channel: msg.channel, ...(fallbackFrom ? { fallbackFrom } : {}) };
    if (outcome.status === 'sent') {
      const ids = outcome.platformMessageId ? [...rec.platformMessageIds, outcome.platformMessageId] : rec.platformMessageIds;
      if (outcome.platformMessageId) await kv.set(pmidKey(msg.channel, outcome.platformMessageId), rec.id, retentionMs);
      if (msg.channel === 'messenger') await noteSent(rec, msg);
      await finish(rec, 'sent', { ...via, platformMessageIds: ids, reason: undefined, code: undefined });
      return;
    }
    if (outcome.code === TWILIO_UNSUBSCRIBED && msg.channel === 'sms') await markSmsOptedOut(msg, contact);
    const failure = { ...via, reason: outcome.reason, ...(outcome.code ? { code: outcome.code } : {}) };
    if (outcome.retryable && !lastAttempt && outcome.code !== TWILIO_UNSUBSCRIBED) {
      await saveRecord({ ...rec, ...failure, updatedAt: clock().toISOString() });
      throw new RetryLater(`send failed (${outcome.reason}); retrying`);
    }
    await finish(rec, 'failed', failure);
  }

  /** one send attempt of one message */
  async function deliver(msg: OutboundMessage, attempt: number, maxAttempts: number): Promise<void> {
    const stored = await kv.get<SendRecord>(recKey(msg.id));
    if (stored && stored.status !== 'queued') {
      log?.info({ messageId: msg.id, status: stored.status }, 'message already settled; not sent again');
      return;
    }
    const rec: SendRecord = { ...(stored ?? initialRecord(msg)), attempts: (stored?.attempts ?? 0) + 1, updatedAt: clock().toISOString() };
    await saveRecord(rec);
    const lastAttempt = attempt >= maxAttempts;
    const now = clock();
    const contact = await findContact(msg);

    let refusal: string;
    const primary = senders[msg.channel];
    if (!primary) {
      refusal = 'no_channel';
    } else {
      const permission = primary.permission(msg, contact, now);
      if (permission.ok) {
        const outcome = await primary.send(msg, contact, now);
        if (outcome.status !== 'undeliverable') return settle(rec, msg, outcome, contact, lastAttempt);
        refusal = outcome.reason;
      } else {
        refusal = permission.reason;
      }
    }

    const fallback = await smsFallback(msg, contact);
    if (!fallback) {
      await finish(rec, 'undeliverable', { reason: refusal });
      return;
    }
    const smsPermission = fallback.sender.permission(fallback.msg, contact, now);
    if (!smsPermission.ok) {
      await finish(rec, 'undeliverable', { reason: refusal, code: `sms:${smsPermission.reason}` });
      return;
    }
    const outcome = await fallback.sender.send(fallback.msg, contact, now);
    if (outcome.status === 'undeliverable') {
      await finish(rec, 'undeliverable', { reason: refusal, code: `sms:${outcome.reason}` });
      return;
    }
    await settle(rec, fallback.msg, outcome, contact, lastAttempt, msg.channel);
  }

  /** a failure outside the send itself (store, contact lookup) on the last attempt still leaves a final record */
  async function deliverOrRecord(msg: OutboundMessage, job: { attempt: number }): Promise<void> {
    try {
      await deliver(msg, job.attempt, SEND_ATTEMPTS);
    } catch (e) {
      if (e instanceof RetryLater || job.attempt < SEND_ATTEMPTS) throw e;
      const rec = await kv.get<SendRecord>(recKey(msg.id));
      if (rec?.status === 'queued') await finish(rec, 'failed', { reason: `internal: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
  }

  // a retry of an item re-sends only what is not final yet; the payload (a code, a message) leaves with the item
  const queue = createSerialQueue<{ messages: OutboundMessage[] }>({
    log: deps.serial,
    name: OUTBOUND_QUEUE,
    handler: async (item, run) => {
      for (const msg of item.messages) await deliverOrRecord(msg, run);
    },
    concurrency: deps.concurrency ?? 8,
    maxAttempts: SEND_ATTEMPTS,
    backoffMs: deps.retryMs ?? 1_000,
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
    ...(log ? { logger: log } : {}),
  });

  return {
    queue,

    async enqueue(msg) {
      if (!(await ensureQueuedRecord(msg))) return false;
      return queue.push({ id: sendJobId(msg.id), key: recipientKey(msg), payload: { messages: [msg] }, ...priorityOf(msg.purpose) });
    },

    async enqueueBatch(msgs) {
      const pending: OutboundMessage[] = [];
      for (const msg of msgs) if (await ensureQueuedRecord(msg)) pending.push(msg);
      if (pending.length === 0) return false;
      // a batch handed over again (a turn re-applied after a crash) is refused by the ledger and keeps its place
      return queue.push({ id: batchJobId(pending), key: recipientKey(pending[0]!), payload: { messages: pending }, ...priorityOf(pending[0]!.purpose) });
    },

    record: (id) => kv.get<SendRecord>(recKey(id)),

    async applyReceipt(r) {
      if (r.platformMessageId.startsWith(WATERMARK)) return applyWatermark(r, Number(r.platformMessageId.slice(WATERMARK.length)));
      const id = await kv.get<string>(pmidKey(r.channel, r.platformMessageId));
      if (!id) {
        log?.debug({ channel: r.channel, facilityId: r.facilityId }, 'receipt for a message we do not know');
        return;
      }
      const rec = await kv.get<SendRecord>(recKey(id));
      if (!rec) return;
      // receipts may arrive out of order: keep the latest the platform reported
      if (rec.deliveryAt && Date.parse(r.at) < Date.parse(rec.deliveryAt)) return;
      await saveRecord({
        ...rec,
        deliveryStatus: r.status,
        deliveryAt: r.at,
        ...(r.errorCode ? { deliveryErrorCode: r.errorCode } : {}),
        updatedAt: clock().toISOString(),
      });
    },

    async undeliverable(facilityId) {
      const rows = await indexes.range(undeliverableSet(facilityId), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const out: SendRecord[] = [];
      for (const { member } of rows) {
        const rec = await kv.get<SendRecord>(recKey(member));
        if (rec?.status === 'undeliverable') out.push(rec);
        else if (!rec) await indexes.remove(undeliverableSet(facilityId), member);
      }
      return out;
    },

    stats: () => ({ ...counts }),
  };
}
