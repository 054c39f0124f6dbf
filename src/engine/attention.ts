import type { ChannelName } from '../core/domain.js';
import type { StoreBackend } from '../store/types.js';

/** What staff must act on: a patient asked for a person, or a confirmation the provider could not take. */
export interface AttentionItem {
  id: string;
  facilityId: string;
  kind: 'handoff' | 'confirmed_locally';
  contactId: string;
  channel: ChannelName;
  at: string;
  reason?: string;
  appointmentId?: string;
}

const setKey = (facilityId: string) => `attention:${facilityId}`;
const itemKey = (facilityId: string, id: string) => `attention:item:${facilityId}:${id}`;
const KEEP_MS = 30 * 24 * 3600_000;

/** Idempotent by id (a turn re-applied after a crash records nothing new). */
export async function recordAttention(backend: StoreBackend, item: AttentionItem): Promise<void> {
  await backend.kv.set(itemKey(item.facilityId, item.id), item, KEEP_MS);
  await backend.indexes.add(setKey(item.facilityId), item.id, Date.parse(item.at));
}

/** Newest first, at most `limit`. */
export async function listAttention(backend: StoreBackend, facilityId: string, limit = 200): Promise<AttentionItem[]> {
  const rows = await backend.indexes.range(setKey(facilityId), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const out: AttentionItem[] = [];
  for (const { member } of rows.reverse().slice(0, limit)) {
    const item = await backend.kv.get<AttentionItem>(itemKey(facilityId, member));
    if (item) out.push(item);
  }
  return out;
}
