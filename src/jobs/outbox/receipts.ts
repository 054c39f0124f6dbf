import type { DeliveryReceipt } from '../../core/channel.js';
import type { OutboxContext } from './context.js';

/** Delivery receipts (src/jobs/outbox.ts `applyReceipt`): the platform's word on a message after it was sent. */

/** a receipt about everything up to a time, not one message (channels/messenger/parse.ts: reads) */
const WATERMARK = 'watermark:';

/** a watermark receipt: every message to that recipient sent at or before it has that status */
async function applyWatermark(cx: OutboxContext, r: DeliveryReceipt, watermark: number): Promise<void> {
  const { records } = cx;
  if (!r.channelUserId || !Number.isFinite(watermark)) return;
  for (const member of await records.sentUpTo(r.facilityId, r.channel, r.channelUserId, watermark)) {
    const rec = await records.find(member);
    if (rec && (!rec.deliveryAt || Date.parse(r.at) >= Date.parse(rec.deliveryAt))) await records.save({ ...rec, deliveryStatus: r.status, deliveryAt: r.at, updatedAt: cx.clock().toISOString() });
    // read is as far as a message goes: it needs no later receipt
    if (r.status === 'read') await records.forgetSent(r.facilityId, r.channel, r.channelUserId, member);
  }
}

/** updates deliveryStatus of the message the platform message id belongs to */
export async function applyReceipt(cx: OutboxContext, r: DeliveryReceipt): Promise<void> {
  const { records } = cx;
  if (r.platformMessageId.startsWith(WATERMARK)) return applyWatermark(cx, r, Number(r.platformMessageId.slice(WATERMARK.length)));
  const id = await records.messageIdFor(r.channel, r.platformMessageId);
  if (!id) {
    cx.log?.debug({ channel: r.channel, facilityId: r.facilityId }, 'receipt for a message we do not know');
    return;
  }
  const rec = await records.find(id);
  if (!rec) return;
  // receipts may arrive out of order: keep the latest the platform reported
  if (rec.deliveryAt && Date.parse(r.at) < Date.parse(rec.deliveryAt)) return;
  await records.save({
    ...rec,
    deliveryStatus: r.status,
    deliveryAt: r.at,
    ...(r.errorCode ? { deliveryErrorCode: r.errorCode } : {}),
    updatedAt: cx.clock().toISOString(),
  });
}
