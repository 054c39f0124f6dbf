import type { AttentionItem } from '../store/attention.js';
import type { Store } from '../store/types.js';

/** What staff must act on: a patient asked for a person, or a confirmation the provider could not take. */
export type { AttentionItem } from '../store/attention.js';

/** Idempotent by id (a turn re-applied after a crash records nothing new). */
export async function recordAttention(store: Pick<Store, 'attention'>, item: AttentionItem): Promise<void> {
  await store.attention.record(item);
}

/** Newest first, at most `limit`. */
export function listAttention(store: Pick<Store, 'attention'>, facilityId: string, limit = 200): Promise<AttentionItem[]> {
  return store.attention.newest(facilityId, limit);
}
