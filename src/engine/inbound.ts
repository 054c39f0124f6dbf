import type { DeliveryReceipt } from '../core/channel.js';
import type { InboundMessage, OutboundMessage } from '../core/messages.js';
import { entryKey, type Engine } from './index.js';

/** What arrives from a platform: a patient's message (a turn) or a delivery receipt for one of ours. */
export type InboundEvent = { type: 'message'; msg: InboundMessage } | { type: 'receipt'; receipt: DeliveryReceipt };

/** The slice of the keyed serial queue (src/jobs/serial.ts) the conversations use. */
export interface ConversationQueue {
  push(item: { id: string; key: string; payload: InboundEvent; priority?: 'high' | 'low' }): Promise<boolean>;
  settled(id: string): Promise<{ outcome: 'done' } | { outcome: 'retry' | 'dead'; error: string }>;
}

/** a chat user's FIFO: known before any contact exists, so the acknowledgement needs no lookup */
export const conversationKey = (msg: Pick<InboundMessage, 'facilityId' | 'channel' | 'channelUserId'>) => `${msg.facilityId}:${msg.channel}:${msg.channelUserId}`;
const receiptId = (r: DeliveryReceipt) => `receipt:${r.channel}:${r.platformMessageId}:${r.status}:${r.at}`;

export interface Conversations {
  /** the acknowledgement path: one atomic de-duplicate + enqueue; false when the id was accepted before */
  accept(msg: InboundMessage): Promise<boolean>;
  acceptReceipt(r: DeliveryReceipt): Promise<boolean>;
  /** the queue's handler */
  run(event: InboundEvent): Promise<void>;
  /** accept and wait until this process ran it; what was sent in answer (dev chat, tests) */
  handle(msg: InboundMessage, timeoutMs?: number): Promise<OutboundMessage[]>;
}

export function createConversations(deps: { engine: Engine; queue: () => ConversationQueue; applyReceipt(r: DeliveryReceipt): Promise<void> }): Conversations {
  /** handle() callers waiting for their message's replies (this process only) */
  const replies = new Map<string, OutboundMessage[]>();
  const self: Conversations = {
    accept: (msg) => deps.queue().push({ id: entryKey(msg), key: conversationKey(msg), payload: { type: 'message', msg } }),
    // a receipt is about one message of ours: its own FIFO, so statuses apply in the order they came
    acceptReceipt: (r) => deps.queue().push({ id: receiptId(r), key: `${r.facilityId}:receipt:${r.channel}:${r.platformMessageId}`, payload: { type: 'receipt', receipt: r }, priority: 'low' }),
    async run(event) {
      if (event.type === 'receipt') return deps.applyReceipt(event.receipt);
      const out = await deps.engine.process(event.msg);
      const id = entryKey(event.msg);
      if (replies.has(id)) replies.set(id, out);
    },
    async handle(msg, timeoutMs = 120_000) {
      const id = entryKey(msg);
      replies.set(id, []);
      try {
        const settled = deps.queue().settled(id);
        if (!(await self.accept(msg))) return [];
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([settled, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the conversation queue did not run the message in time')), timeoutMs)))]).finally(() => clearTimeout(timer));
        if (outcome.outcome !== 'done') throw new Error(outcome.error);
        return replies.get(id) ?? [];
      } finally {
        replies.delete(id);
      }
    },
  };
  return self;
}
