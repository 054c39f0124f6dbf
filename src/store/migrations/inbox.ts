import type { InboundMessage } from '../../core/messages.js';
import type { Logger } from '../../log.js';
import type { Store } from '../types.js';

/** the inbox of versions before the serial queue (src/engine/inbox.ts, removed) */
const PENDING = 'inbox:pending';
const queueSet = (facilityId: string, contactId: string) => `inbox:q:${facilityId}:${contactId}`;
const itemKey = (facilityId: string, key: string) => `inbox:item:${facilityId}:${key}`;
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Messages an older version accepted but had not processed when it stopped: queued again in their
 * arrival order, then removed from the old inbox. Idempotent (the queue's ledger refuses a repeat), so a
 * crash in the middle only repeats the walk.
 */
export async function migrateInbox(store: Store, target: { accept(msg: InboundMessage): Promise<boolean> }, logger?: Logger): Promise<number> {
  const { kv, indexes } = store.backend;
  let moved = 0;
  for (const member of await indexes.members(PENDING)) {
    const [facilityId, contactId] = JSON.parse(member) as [string, string];
    const set = queueSet(facilityId, contactId);
    for (const { member: key } of await indexes.range(set, MIN, MAX)) {
      const entry = await kv.get<{ msg: InboundMessage }>(itemKey(facilityId, key));
      if (entry && (await target.accept(entry.msg))) moved++;
      await kv.delete(itemKey(facilityId, key));
      await indexes.remove(set, key);
    }
    await indexes.remove(PENDING, member);
  }
  if (moved > 0) logger?.info({ moved }, 'inbox of the previous version moved to the conversation queue');
  return moved;
}
