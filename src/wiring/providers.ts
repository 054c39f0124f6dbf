import { dirname, join } from 'node:path';
import type { Config, FacilityConfig } from '../config/schema.js';
import type { Calendar } from '../core/domain.js';
import type { ProviderClient } from '../core/provider.js';
import type { Logger } from '../log.js';
import { createProviderClient, syncCalendars } from '../provider/index.js';
import { createSandbox, type Sandbox } from '../sandbox/index.js';
import type { Store } from '../store/types.js';

/** The demo's sandbox keeps its bookings next to our SQLite file, so a restart leaves both sides consistent. */
function sandboxStateFile(store: string): string | undefined {
  const m = /^sqlite:(?:\/\/)?(.+)$/.exec(store);
  if (!m?.[1] || m[1] === ':memory:') return undefined;
  return join(dirname(m[1]), 'sandbox-state.json');
}

/** The hospitals' APIs as this instance reaches them: one client per facility, the sandbox mounted here, the calendars. */
export interface Providers {
  provider(facilityId: string): ProviderClient;
  readonly sandbox: Sandbox | undefined;
  readonly sandboxFacilities: readonly FacilityConfig[];
  /** the instance's own URL, once listening (a facility on the sandbox calls it) */
  setSelfUrl(url: string): void;
  selfUrl(): string;
  calendars(facilityId: string): Promise<Calendar[]>;
  calendarName(facilityId: string, calendarId: string): Promise<string | undefined>;
  /** refreshes the stored calendars (logged, never thrown); `settled()` waits for every refresh under way */
  syncCalendarsOf(f: FacilityConfig): Promise<void>;
  settled(): Promise<void>;
}

export function createProviders(config: Config, store: Store, logger: Logger, now: () => Date): Providers {
  let selfUrl = '';
  const clients = new Map<string, ProviderClient>();
  const byId = new Map(config.facilities.map((f) => [f.id, f]));
  const provider = (facilityId: string): ProviderClient => {
    const existing = clients.get(facilityId);
    if (existing) return existing;
    const f = byId.get(facilityId);
    if (!f) throw new Error(`unknown facility ${facilityId}`);
    const p = f.provider;
    const client = createProviderClient({
      facilityId: f.id,
      baseUrl: p.baseUrl === 'sandbox' ? `${selfUrl}/sandbox/${f.id}/api/v1` : p.baseUrl,
      userId: p.userId,
      apiKey: p.apiKey,
      timezone: f.timezone,
      timeoutMs: p.timeoutMs,
      maxResponseBytes: p.maxResponseBytes,
      ...(p.defaultAppointmentType ? { defaultAppointmentType: p.defaultAppointmentType } : {}),
      logger,
    });
    clients.set(facilityId, client);
    return client;
  };
  const sandboxFacilities = config.facilities.filter((f) => f.provider.baseUrl === 'sandbox');
  const stateFile = sandboxStateFile(config.store);
  const sandbox =
    config.sandbox && sandboxFacilities.length > 0
      ? createSandbox({
          facilities: sandboxFacilities.map((f) => ({ id: f.id, timezone: f.timezone, userId: f.provider.userId, apiKey: f.provider.apiKey, cutoffHours: f.rescheduleCutoffHours })),
          logger,
          now,
          ...(stateFile ? { stateFile } : {}),
        })
      : undefined;
  const calendars = async (facilityId: string) => {
    const stored = await store.calendars.get(facilityId);
    if (stored) return stored.calendars;
    const r = await syncCalendars(facilityId, provider(facilityId), store.calendars);
    return r.ok ? r.value : [];
  };
  const syncing = new Set<Promise<void>>();
  const syncCalendarsOf = (f: FacilityConfig): Promise<void> => {
    const run = refreshCalendars(f, provider(f.id), store, logger);
    syncing.add(run);
    void run.finally(() => syncing.delete(run));
    return run;
  };
  return {
    provider,
    sandbox,
    sandboxFacilities,
    setSelfUrl: (url) => void (selfUrl = url),
    selfUrl: () => selfUrl,
    calendars,
    calendarName: async (facilityId, calendarId) => (await calendars(facilityId)).find((c) => c.id === calendarId)?.name,
    syncCalendarsOf,
    settled: async () => void (await Promise.all([...syncing])),
  };
}

async function refreshCalendars(f: FacilityConfig, client: ProviderClient, store: Store, logger: Logger): Promise<void> {
  try {
    const r = await syncCalendars(f.id, client, store.calendars);
    if (!r.ok) logger.warn({ facilityId: f.id, error: r.error.kind }, 'calendar sync failed; keeping the stored copy');
  } catch (e) {
    logger.error({ facilityId: f.id, err: e instanceof Error ? e.message : String(e) }, 'calendar sync failed');
  }
}
