import type { Calendar } from '../core/domain.js';
import type { ProviderClient, ProviderError } from '../core/provider.js';
import { ok, type Result } from '../core/result.js';
import type { KeyValue } from '../store/types.js';

/** What a calendar sync leaves in the store for one facility. */
export interface StoredCalendars {
  calendars: Calendar[];
  /** ISO time of the successful fetch */
  syncedAt: string;
}

export const calendarsKey = (facilityId: string): string => `calendars:${facilityId}`;

/** Fetches the facility's calendars and stores them; a failed fetch leaves the last good copy in place. */
export async function syncCalendars(
  facilityId: string,
  client: ProviderClient,
  kv: KeyValue,
  now: () => Date = () => new Date(),
): Promise<Result<Calendar[], ProviderError>> {
  const fetched = await client.listCalendars();
  if (!fetched.ok) return fetched;
  const record: StoredCalendars = { calendars: fetched.value, syncedAt: now().toISOString() };
  await kv.set(calendarsKey(facilityId), record);
  return ok(fetched.value);
}

export async function readCalendars(kv: KeyValue, facilityId: string): Promise<StoredCalendars | undefined> {
  return kv.get<StoredCalendars>(calendarsKey(facilityId));
}
