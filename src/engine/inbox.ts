import type { InboundMessage } from '../core/messages.js';
import type { StoreBackend } from '../store/types.js';

/** One inbound event waiting for its conversation's turn. */
export interface InboxEntry {
  /** `${channel}:${messageId}`: unique per platform message */
  key: string;
  facilityId: string;
  contactId: string;
  msg: InboundMessage;
  attempts: number;
}

const queueSet = (facilityId: string, contactId: string) => `inbox:q:${facilityId}:${contactId}`;
const itemKey = (facilityId: string, key: string) => `inbox:item:${facilityId}:${key}`;
/** conversations that may hold entries: what recovery walks after a crash */
const PENDING = 'inbox:pending';
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

export const entryKey = (msg: Pick<InboundMessage, 'channel' | 'id'>): string => `${msg.channel}:${msg.id}`;

let seq = 0;
/** arrival order: wall clock in ms, then a per-process counter for arrivals within the same ms */
const arrivalScore = (now: number): number => now * 1000 + (seq++ % 1000);

/**
 * A persisted, ordered inbox per conversation, on the store's kv and sorted sets, so an accepted
 * message survives a crash and is processed exactly in arrival order.
 */
export function createInbox(backend: StoreBackend) {
  const { kv, indexes } = backend;
  return {
    async push(entry: InboxEntry, now: number): Promise<void> {
      await kv.set(itemKey(entry.facilityId, entry.key), entry);
      await indexes.add(queueSet(entry.facilityId, entry.contactId), entry.key, arrivalScore(now));
      await indexes.add(PENDING, JSON.stringify([entry.facilityId, entry.contactId]));
    },

    /** the oldest entry of a conversation; clears the pending mark when the queue is empty */
    async peek(facilityId: string, contactId: string): Promise<InboxEntry | undefined> {
      const set = queueSet(facilityId, contactId);
      for (;;) {
        const [head] = await indexes.range(set, MIN, MAX, 1);
        if (!head) {
          await indexes.remove(PENDING, JSON.stringify([facilityId, contactId]));
          // an entry pushed while we cleared the mark must stay discoverable
          const [late] = await indexes.range(set, MIN, MAX, 1);
          if (!late) return undefined;
          await indexes.add(PENDING, JSON.stringify([facilityId, contactId]));
          continue;
        }
        const entry = await kv.get<InboxEntry>(itemKey(facilityId, head.member));
        if (entry) return entry;
        await indexes.remove(set, head.member); // orphan index member
      }
    },

    async has(facilityId: string, key: string): Promise<boolean> {
      return (await kv.get<InboxEntry>(itemKey(facilityId, key))) !== undefined;
    },

    async update(entry: InboxEntry): Promise<void> {
      await kv.set(itemKey(entry.facilityId, entry.key), entry);
    },

    async remove(entry: InboxEntry): Promise<void> {
      await indexes.remove(queueSet(entry.facilityId, entry.contactId), entry.key);
      await kv.delete(itemKey(entry.facilityId, entry.key));
    },

    async pendingConversations(): Promise<{ facilityId: string; contactId: string }[]> {
      const members = await indexes.members(PENDING);
      return members.map((m) => {
        const [facilityId, contactId] = JSON.parse(m) as [string, string];
        return { facilityId, contactId };
      });
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;
