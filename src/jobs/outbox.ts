import { createHash } from 'node:crypto';
import type { ChannelCatalog, DeliveryReceipt, ChannelSender } from '../core/channel.js';
import type { ChannelName } from '../core/domain.js';
import type { OutboundMessage, SendPurpose } from '../core/messages.js';
import type { Logger } from '../log.js';
import type { SendRecord, SendRecordStore } from '../store/send-records.js';
import type { ContactRepo, SerialLog } from '../store/types.js';
import { initialRecord, outboxContext, type OutboxContext } from './outbox/context.js';
import { deliverOrRecord } from './outbox/deliver.js';
import { applyReceipt } from './outbox/receipts.js';
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
export type { SendRecord } from '../store/send-records.js';

export interface OutboxDeps {
  /** the channel registry: opt-outs read from outcomes, the fallback channel, who keeps sent ids for watermarks */
  channels: ChannelCatalog;
  /** the serial queue's log (the store's, or Redis when configured) */
  serial: SerialLog;
  /** the send records, their receipt and undeliverable indexes (src/store/send-records.ts: namespace, retention) */
  records: SendRecordStore;
  senders: Partial<Record<ChannelName, ChannelSender>>;
  contacts: ContactRepo;
  now?: () => Date;
  logger?: Logger;
  /** metrics hook: called once per message when it reaches sent, failed or undeliverable */
  onOutcome?: (rec: SendRecord) => void;
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
/** the sender already retried at HTTP level; these are retries of the whole send, minutes apart */
export const SEND_ATTEMPTS = 3;

/** a code the patient waits for goes ahead of everything; a broadcast's sends behind everything */
const priorityOf = (purpose: SendPurpose): { priority?: 'high' | 'low' } =>
  purpose === 'verification' ? { priority: 'high' } : purpose === 'broadcast' ? { priority: 'low' } : {};
/** one recipient's FIFO */
const recipientKey = (m: OutboundMessage) => `${m.facilityId}:${m.channel}:${m.channelUserId}`;

export const sendJobId = (messageId: string) => `send:${messageId}`;
export const batchJobId = (msgs: OutboundMessage[]) =>
  `send-batch:${createHash('sha256').update(msgs.map((m) => m.id).join('\n')).digest('hex').slice(0, 32)}`;

/** true when the message may still be sent (no record yet, or queued) */
async function ensureQueuedRecord(cx: OutboxContext, msg: OutboundMessage): Promise<boolean> {
  const rec = await cx.records.find(msg.id);
  if (rec) return rec.status === 'queued';
  // written before the job exists, so a fast worker's outcome is never overwritten by this
  await cx.records.save(initialRecord(cx, msg));
  return true;
}

function recipientQueue(cx: OutboxContext): SerialQueue<{ messages: OutboundMessage[] }> {
  const { deps, log } = cx;
  // a retry of an item re-sends only what is not final yet; the payload (a code, a message) leaves with the item
  return createSerialQueue<{ messages: OutboundMessage[] }>({
    log: deps.serial,
    name: OUTBOUND_QUEUE,
    handler: async (item, run) => {
      for (const msg of item.messages) await deliverOrRecord(cx, msg, run, SEND_ATTEMPTS);
    },
    concurrency: deps.concurrency ?? 8,
    maxAttempts: SEND_ATTEMPTS,
    backoffMs: deps.retryMs ?? 1_000,
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
    ...(log ? { logger: log } : {}),
  });
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const cx = outboxContext(deps);
  const queue = recipientQueue(cx);
  return {
    queue,

    async enqueue(msg) {
      if (!(await ensureQueuedRecord(cx, msg))) return false;
      return queue.push({ id: sendJobId(msg.id), key: recipientKey(msg), payload: { messages: [msg] }, ...priorityOf(msg.purpose) });
    },

    async enqueueBatch(msgs) {
      const pending: OutboundMessage[] = [];
      for (const msg of msgs) if (await ensureQueuedRecord(cx, msg)) pending.push(msg);
      if (pending.length === 0) return false;
      // a batch handed over again (a turn re-applied after a crash) is refused by the ledger and keeps its place
      return queue.push({ id: batchJobId(pending), key: recipientKey(pending[0]!), payload: { messages: pending }, ...priorityOf(pending[0]!.purpose) });
    },

    record: (id) => cx.records.find(id),

    applyReceipt: (r) => applyReceipt(cx, r),

    undeliverable: (facilityId) => cx.records.undeliverable(facilityId),

    stats: () => ({ ...cx.counts }),
  };
}
