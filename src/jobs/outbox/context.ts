import type { ChannelCatalog, ChannelModule, ChannelSender } from '../../core/channel.js';
import type { ChannelName } from '../../core/domain.js';
import type { OutboundMessage } from '../../core/messages.js';
import type { Logger } from '../../log.js';
import type { SendRecord, SendRecordStore } from '../../store/send-records.js';
import type { ContactRepo } from '../../store/types.js';
import type { OutboxDeps } from '../outbox.js';

/** What the outbox's steps (src/jobs/outbox.ts) share: its dependencies and this process's outcome counts. */
export interface OutboxContext {
  readonly deps: OutboxDeps;
  readonly records: SendRecordStore;
  readonly senders: Partial<Record<ChannelName, ChannelSender>>;
  readonly contacts: ContactRepo;
  readonly channels: ChannelCatalog;
  /** channels that may carry a notice another refused, in their order */
  readonly fallbacks: readonly ChannelModule[];
  readonly clock: () => Date;
  readonly log: Logger | undefined;
  readonly counts: { sent: number; failed: number; undeliverable: number };
}

export type Final = Exclude<SendRecord['status'], 'queued'>;

export function outboxContext(deps: OutboxDeps): OutboxContext {
  const { records, senders, contacts, channels } = deps;
  return {
    deps,
    records,
    senders,
    contacts,
    channels,
    fallbacks: channels.all.filter((m) => m.fallbackRank !== undefined).sort((a, b) => a.fallbackRank! - b.fallbackRank!),
    clock: deps.now ?? (() => new Date()),
    log: deps.logger,
    counts: { sent: 0, failed: 0, undeliverable: 0 },
  };
}

export const isPhoneChannel = (cx: OutboxContext, name: ChannelName) => !!cx.channels.get(name)?.addressIsPhone;

export function initialRecord(cx: OutboxContext, msg: OutboundMessage): SendRecord {
  const at = cx.clock().toISOString();
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
}

/** writes the message's final record, counts and logs it, and tells the metrics hook */
export async function finish(cx: OutboxContext, rec: SendRecord, status: Final, fields: Partial<SendRecord>): Promise<void> {
  const { log } = cx;
  const done: SendRecord = { ...rec, ...fields, status, updatedAt: cx.clock().toISOString() };
  await cx.records.save(done);
  if (status === 'undeliverable') await cx.records.markUndeliverable(done);
  cx.counts[status]++;
  const logFields = { messageId: done.id, facilityId: done.facilityId, channel: done.channel, purpose: done.purpose, reason: done.reason, code: done.code, fallbackFrom: done.fallbackFrom };
  if (status === 'sent') log?.info(logFields, 'message sent');
  else log?.warn(logFields, status === 'failed' ? 'message failed' : 'message undeliverable');
  try {
    cx.deps.onOutcome?.(done);
  } catch (e) {
    log?.error({ messageId: done.id, err: e instanceof Error ? e.message : String(e) }, 'outbox outcome hook failed');
  }
}
