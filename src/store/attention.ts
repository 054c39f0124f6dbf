import type { ChannelName } from '../core/domain.js';
import { K } from './keys.js';
import type { Indexes, KeyValue } from './types.js';

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

/** how long an attention item is kept */
export const ATTENTION_TTL_MS = 30 * 24 * 3600_000;

/**
 * Attention items for staff: `attention:item:{f}:{id}` (the item, 30 days TTL) and `attention:{f}` (item ids
 * by time). The sweeper drops index entries whose item expired; erasure removes a contact's items.
 */
export class AttentionStore {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
  ) {}

  /** files an item for staff; idempotent by id (a turn re-applied after a crash files nothing new) */
  async record(item: AttentionItem): Promise<void> {
    await this.kv.set(K.attentionItem(item.facilityId, item.id), item, ATTENTION_TTL_MS);
    await this.indexes.add(K.attention(item.facilityId), item.id, Date.parse(item.at));
  }

  /** a facility's items, newest first, at most `limit` */
  async newest(facilityId: string, limit = 200): Promise<AttentionItem[]> {
    const rows = await this.indexes.range(K.attention(facilityId), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const out: AttentionItem[] = [];
    for (const { member } of rows.reverse().slice(0, limit)) {
      const item = await this.kv.get<AttentionItem>(K.attentionItem(facilityId, member));
      if (item) out.push(item);
    }
    return out;
  }
}
