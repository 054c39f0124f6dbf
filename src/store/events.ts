import type { EventLedger, Indexes } from './types.js';

export const DEFAULT_EVENT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const SEEN = 'seen';
const seenKey = (scope: string, id: string) => `seen:${scope}:${id}`;

/** A claim per id: the backend's set-if-absent makes "first" hold across instances. */
export class EventLedgerStore implements EventLedger {
  constructor(private readonly indexes: Indexes) {}

  firstSeen(scope: string, id: string, ttlMs: number = DEFAULT_EVENT_TTL_MS): Promise<boolean> {
    return this.indexes.claim(seenKey(scope, id), SEEN, ttlMs);
  }

  async forget(scope: string, id: string): Promise<void> {
    await this.indexes.release(seenKey(scope, id), SEEN);
  }
}
