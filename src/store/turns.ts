import { K } from './keys.js';
import type { KeyValue } from './types.js';

/** What the turn log needs of a turn: which inbound event it answered, and when (the sweeper reads `at`). */
export interface TurnRecordLike {
  /** the inbound event's key (`<channel>:<message id>`) */
  key: string;
  at: string;
}

/**
 * The turn log (`engine:turn:{f}:{id}`): one record per contact, the last turn the engine computed, written
 * before any of its effects (the commit point). A re-run of the same inbound event finds it and re-applies
 * it instead of running the flow again. Kept `retention.turnRecordsDays` (the sweeper), erased with the contact.
 */
export class TurnLog {
  constructor(private readonly kv: KeyValue) {}

  /** the contact's last committed turn, if any */
  lastTurn<T extends TurnRecordLike>(facilityId: string, contactId: string): Promise<T | undefined> {
    return this.kv.get<T>(K.turn(facilityId, contactId));
  }

  /** commits a computed turn (replacing the previous one) before its effects are applied */
  commit<T extends TurnRecordLike>(facilityId: string, contactId: string, turn: T): Promise<void> {
    return this.kv.set(K.turn(facilityId, contactId), turn);
  }
}
