import type { ChannelName } from '../core/domain.js';
import type { SendPurpose } from '../core/messages.js';
import type { Indexes, KeyValue } from './types.js';

/** The outbox's record of one message (no text): what happened to it, and what the platform said since. */
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

/** the platforms' words for a message that was accepted but never arrived (Twilio, WhatsApp, Viber) */
const NOT_DELIVERED = new Set(['failed', 'undelivered']);

/**
 * What became of a message as staff need it: its status, except that one the platform accepted and later
 * reported as not delivered (a WhatsApp 131047, a Twilio `undelivered`) is `not_delivered`, not "sent".
 */
export const reachedStatus = (rec: Pick<SendRecord, 'status' | 'deliveryStatus'> | undefined): SendRecord['status'] | 'not_delivered' | undefined =>
  rec?.status === 'sent' && NOT_DELIVERED.has(rec.deliveryStatus ?? '') ? 'not_delivered' : rec?.status;

export interface SendRecordStoreOptions {
  /** key namespace (default `outbox`; the sweeper and the erasure walk `outbox:`) */
  namespace?: string;
  /** how long records, their receipt index and the sent index are kept (default 90 days) */
  retentionMs?: number;
}

export const DEFAULT_SEND_RECORD_RETENTION_MS = 90 * 24 * 60 * 60_000;
/** how many expired entries of a recipient's sent index one new send trims */
const TRIM_BATCH = 20;
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Send records, the outbox's family:
 * - `outbox:rec:{*}` the record of a message (kept `retentionMs`, TTL; the sweeper by `sendRecordsDays`)
 * - `outbox:pmid:{channel}:{*}` a platform message id → our message id (delivery receipts)
 * - `outbox:sent:{f}:{channel}:{user}` Messenger messages sent to a recipient, by time (read watermarks)
 * - `outbox:undeliverable:{f}` messages no channel could carry, for staff
 */
export class SendRecordStore {
  private readonly ns: string;
  readonly retentionMs: number;

  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    opts: SendRecordStoreOptions = {},
  ) {
    this.ns = opts.namespace ?? 'outbox';
    this.retentionMs = opts.retentionMs ?? DEFAULT_SEND_RECORD_RETENTION_MS;
  }

  private recKey = (id: string) => `${this.ns}:rec:${id}`;
  private pmidKey = (channel: ChannelName, pmid: string) => `${this.ns}:pmid:${channel}:${pmid}`;
  private undeliverableSet = (facilityId: string) => `${this.ns}:undeliverable:${facilityId}`;
  private sentSet = (facilityId: string, channel: ChannelName, userId: string) => `${this.ns}:sent:${facilityId}:${channel}:${userId}`;

  /** the record of a message, if the outbox was handed it */
  find(id: string): Promise<SendRecord | undefined> {
    return this.kv.get<SendRecord>(this.recKey(id));
  }

  /** writes the record as it now is (its retention starts again) */
  save(rec: SendRecord): Promise<void> {
    return this.kv.set(this.recKey(rec.id), rec, this.retentionMs);
  }

  /** the platform accepted message `id` under `platformMessageId`: its receipts will name that id */
  async notePlatformId(channel: ChannelName, platformMessageId: string, id: string): Promise<void> {
    await this.kv.set(this.pmidKey(channel, platformMessageId), id, this.retentionMs);
  }

  /** our message id for a platform's message id (a delivery receipt), if we sent it */
  messageIdFor(channel: ChannelName, platformMessageId: string): Promise<string | undefined> {
    return this.kv.get<string>(this.pmidKey(channel, platformMessageId));
  }

  /**
   * Message `id` went to this recipient at `at` (ms): a receipt that says "read up to here" (Messenger's
   * watermark) will find it. The oldest beyond the retention leave as new ones come.
   */
  async noteSentTo(facilityId: string, channel: ChannelName, userId: string, id: string, at: number): Promise<void> {
    const set = this.sentSet(facilityId, channel, userId);
    await this.indexes.add(set, id, at);
    for (const old of await this.indexes.range(set, MIN, at - this.retentionMs, TRIM_BATCH)) await this.indexes.remove(set, old.member);
  }

  /** the ids of the messages sent to this recipient at or before `upTo` (ms), oldest first */
  async sentUpTo(facilityId: string, channel: ChannelName, userId: string, upTo: number): Promise<string[]> {
    return (await this.indexes.range(this.sentSet(facilityId, channel, userId), MIN, upTo)).map((r) => r.member);
  }

  /** the message was read: it needs no later receipt */
  async forgetSent(facilityId: string, channel: ChannelName, userId: string, id: string): Promise<void> {
    await this.indexes.remove(this.sentSet(facilityId, channel, userId), id);
  }

  /** lists the message for staff as one no channel could carry */
  async markUndeliverable(rec: SendRecord): Promise<void> {
    await this.indexes.add(this.undeliverableSet(rec.facilityId), rec.id, Date.parse(rec.createdAt));
  }

  /** messages of a facility no channel could carry, oldest first; entries whose record is gone are dropped */
  async undeliverable(facilityId: string): Promise<SendRecord[]> {
    const set = this.undeliverableSet(facilityId);
    const out: SendRecord[] = [];
    for (const { member } of await this.indexes.range(set, MIN, MAX)) {
      const rec = await this.find(member);
      if (rec?.status === 'undeliverable') out.push(rec);
      else if (!rec) await this.indexes.remove(set, member);
    }
    return out;
  }
}
