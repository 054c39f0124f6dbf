import type { Choice } from '../core/messages.js';
import { K } from './keys.js';
import type { KeyValue } from './types.js';

/** The choices the last push to a contact carried (a reminder's confirm / reschedule / cancel), and when. */
export interface PushedChoices {
  choices: Choice[];
  at: string;
  /** answers after this are not read as answers to it (a survey's expiry); none: the TTL */
  until?: string;
}

/** how long a push's choices can be answered by number or by their words */
export const PUSHED_CHOICES_TTL_MS = 14 * 24 * 3600_000;

/**
 * Pushed choices (`engine:push:{f}:{id}`): one per contact, the latest push's choices, kept 14 days (TTL) and
 * erased with the contact.
 */
export class PushedChoiceStore {
  constructor(private readonly kv: KeyValue) {}

  /** a push offered these choices: they replace the contact's previous ones */
  remember(facilityId: string, contactId: string, choices: Choice[], at: string, until?: string): Promise<void> {
    return this.kv.set<PushedChoices>(K.push(facilityId, contactId), { choices, at, ...(until ? { until } : {}) }, PUSHED_CHOICES_TTL_MS);
  }

  /** the latest push's choices, while they last */
  latest(facilityId: string, contactId: string): Promise<PushedChoices | undefined> {
    return this.kv.get<PushedChoices>(K.push(facilityId, contactId));
  }
}
