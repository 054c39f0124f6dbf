import type { Calendar } from '../core/domain.js';
import type { KeyValue } from './types.js';

/** What a calendar sync leaves in the store for one facility. */
export interface StoredCalendars {
  calendars: Calendar[];
  /** ISO time of the successful fetch */
  syncedAt: string;
}

export const calendarsKey = (facilityId: string): string => `calendars:${facilityId}`;

/** The provider's calendars and appointment types per facility (`calendars:{f}`), replaced at every sync. */
export class CalendarStore {
  constructor(private readonly kv: KeyValue) {}
  get(facilityId: string): Promise<StoredCalendars | undefined> {
    return this.kv.get<StoredCalendars>(calendarsKey(facilityId));
  }
  save(facilityId: string, record: StoredCalendars): Promise<void> {
    return this.kv.set(calendarsKey(facilityId), record);
  }
}
