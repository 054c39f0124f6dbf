import type { Calendar } from '../core/domain.js';
import type { ProviderClient, ProviderError } from '../core/provider.js';
import { ok, type Result } from '../core/result.js';

/** Where a sync keeps the calendars (the store's CalendarStore; tests give their own). */
export interface CalendarSink {
  save(facilityId: string, record: { calendars: Calendar[]; syncedAt: string }): Promise<void>;
}

/** Fetches the facility's calendars and stores them; a failed fetch leaves the last good copy in place. */
export async function syncCalendars(facilityId: string, client: ProviderClient, sink: CalendarSink, now: () => Date = () => new Date()): Promise<Result<Calendar[], ProviderError>> {
  const fetched = await client.listCalendars();
  if (!fetched.ok) return fetched;
  await sink.save(facilityId, { calendars: fetched.value, syncedAt: now().toISOString() });
  return ok(fetched.value);
}
