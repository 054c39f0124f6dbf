import { K } from './keys.js';
import type { KeyValue } from './types.js';

/**
 * When a contact's appointments were last refreshed from the provider (`engine:mirror-refreshed:{f}:{id}`,
 * ms since epoch), so the mirror is asked again only once it is older than the engine's `mirrorMaxAgeMs`.
 * Kept `retention.turnRecordsDays` (the sweeper), erased with the contact.
 */
export class MirrorRefreshStore {
  constructor(private readonly kv: KeyValue) {}

  /** when the last complete refresh happened (ms since epoch), if one did */
  lastRefreshed(facilityId: string, contactId: string): Promise<number | undefined> {
    return this.kv.get<number>(K.mirrorRefreshed(facilityId, contactId));
  }

  /** every query of a refresh answered: the mirror is fresh as of `at` (ms since epoch) */
  markRefreshed(facilityId: string, contactId: string, at: number): Promise<void> {
    return this.kv.set(K.mirrorRefreshed(facilityId, contactId), at);
  }
}
