import type { ProviderError } from '../core/provider.js';
import { createProviderClient, syncCalendars } from '../provider/index.js';
import { openStore } from '../store/index.js';
import { SYNC_CALENDARS, httpUrl, parseCommand, serverUrl } from './commands.js';
import { configOrExit } from './main.js';
import { cannotReach, hintFor, noReach, oneLine, timedOut, unreachable } from './net.js';

/** A failed sync in one line: for "unavailable", why no answer came (asked again with one plain request), else the provider's words. */
async function failure(baseUrl: string, error: ProviderError, timeoutMs: number): Promise<string | undefined> {
  if (error.kind !== 'unavailable' || (error.code !== 'network' && error.code !== 'timeout')) return undefined;
  if (error.code === 'timeout') return timedOut(timeoutMs);
  return unreachable(baseUrl, timeoutMs);
}

/** `npx frontdesk sync-calendars`: fetch every facility's calendars now and store them (the server also does it on a schedule). */
export async function syncCalendarsCommand(argv: string[]): Promise<number> {
  const values = parseCommand(SYNC_CALENDARS, argv);
  if (!values) return 2;
  if (values.url !== undefined && !httpUrl('sync-calendars', 'url', values.url)) return 2;
  const config = configOrExit();
  if (!config) return 1;
  const facilities = config.facilities.filter((f) => !values.facility || f.id === values.facility);
  if (facilities.length === 0) {
    console.error(`frontdesk sync-calendars: no facility "${values.facility}" in the configuration (known: ${config.facilities.map((f) => f.id).join(', ')})`);
    return 2;
  }
  const server = serverUrl(values.url, config);
  // facilities on the sandbox are served by the running frontdesk: when it does not answer, one line says so (not one per facility)
  if (facilities.some((f) => f.provider.baseUrl === 'sandbox')) {
    const why = await unreachable(server);
    if (why) {
      console.error(cannotReach('sync-calendars', server, why));
      return 1;
    }
  }
  let store;
  try {
    store = await openStore(config.store, { ...(config.redis ? { redisUrl: config.redis } : {}) });
  } catch (e) {
    // the store URL can carry a password: not printed
    console.error(`frontdesk sync-calendars: cannot open the store: ${oneLine(e)}`);
    return 1;
  }
  let failed = 0;
  try {
    for (const f of facilities) {
      const sandbox = f.provider.baseUrl === 'sandbox';
      const baseUrl = sandbox ? `${server}/sandbox/${f.id}/api/v1` : f.provider.baseUrl;
      const client = createProviderClient({ facilityId: f.id, baseUrl, userId: f.provider.userId, apiKey: f.provider.apiKey, timezone: f.timezone, timeoutMs: f.provider.timeoutMs, ...(f.provider.defaultAppointmentType ? { defaultAppointmentType: f.provider.defaultAppointmentType } : {}) });
      const r = await syncCalendars(f.id, client, store.calendars);
      if (r.ok) {
        console.log(`${f.id}: ${r.value.length} calendars`);
        for (const c of r.value) console.log(`  ${c.id.padEnd(12)} ${c.name}  (${c.appointmentTypes.map((t) => t.name).join(', ')})`);
        continue;
      }
      failed += 1;
      const why = await failure(baseUrl, r.error, f.provider.timeoutMs);
      if (why) console.error(`frontdesk sync-calendars: ${f.id}: ${sandbox ? noReach(server, why) : noReach(baseUrl, why, hintFor(why, `facility ${f.id}'s provider.baseUrl`))}`);
      else console.error(`frontdesk sync-calendars: ${f.id}: failed: ${r.error.kind}: ${r.error.message}`);
    }
  } finally {
    await store.close();
  }
  return failed > 0 ? 1 : 0;
}
