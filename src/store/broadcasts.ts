import { K } from './keys.js';
import type { Indexes, KeyValue } from './types.js';

/** What the store knows of a broadcast record (src/sync/broadcast.ts owns its full shape). */
export interface BroadcastRecordLike {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  createdAt: string;
  request: { facilityId: string };
}

/**
 * Staff broadcasts: `broadcast:{id}` (the request, its recipients, who made it), `broadcast-claim:{id}` (one
 * broadcast per identical request: the id is a hash of the request) and `broadcasts:{f}` (a facility's
 * broadcast ids by creation time, for the history). Kept `retention.sendRecordsDays` after it was made (the
 * sweeper deletes the record, takes it out of the history and releases its claim).
 */
export class BroadcastStore {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
  ) {}

  /** the broadcast with this id, if it was made */
  find<R extends BroadcastRecordLike>(id: string): Promise<R | undefined> {
    return this.kv.get<R>(K.broadcast(id));
  }

  /**
   * Files a new broadcast, once: the request's claim first, so two identical requests at once create one.
   * False when the claim was already taken (the record is then the other request's).
   */
  async createOnce<R extends BroadcastRecordLike>(record: R): Promise<boolean> {
    if (!(await this.indexes.claim(K.broadcastClaim(record.id), record.id))) return false;
    await this.kv.set(K.broadcast(record.id), record);
    await this.indexes.add(K.broadcasts(record.request.facilityId), record.id, Date.parse(record.createdAt) || 0);
    return true;
  }

  /** its job started: marked `running`; returns the record as it was before, or undefined when there is none */
  async markRunning<R extends BroadcastRecordLike>(id: string): Promise<R | undefined> {
    const rec = await this.kv.get<R>(K.broadcast(id));
    if (!rec) return undefined;
    await this.kv.set(K.broadcast(id), { ...rec, status: 'running' });
    return rec;
  }

  /** merges `fields` into the record (its final counts); false when there is no such broadcast */
  async annotate<R extends BroadcastRecordLike>(id: string, fields: Partial<Omit<R, keyof BroadcastRecordLike>>): Promise<boolean> {
    const rec = await this.kv.get<R>(K.broadcast(id));
    if (!rec) return false;
    await this.kv.set(K.broadcast(id), { ...rec, ...fields });
    return true;
  }

  /** a facility's broadcasts, newest first, at most `limit` (an id whose record is gone is left out) */
  async recent<R extends BroadcastRecordLike>(facilityId: string, limit: number): Promise<R[]> {
    const all = await this.indexes.range(K.broadcasts(facilityId), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const newest = all.slice(-limit).reverse();
    const records: (R | undefined)[] = await Promise.all(newest.map((e) => this.kv.get<R>(K.broadcast(e.member))));
    return records.filter((r): r is R => r !== undefined);
  }
}
