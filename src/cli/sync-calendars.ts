import { parseArgs } from 'node:util';
import { createProviderClient, syncCalendars } from '../provider/index.js';
import { openStore } from '../store/index.js';
import { configOrExit } from './main.js';

/** `npx frontdesk sync-calendars`: fetch every facility's calendars now and store them (the server also does it on a schedule). */
export async function syncCalendarsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { facility: { type: 'string' }, url: { type: 'string', default: 'http://127.0.0.1:3000' } } });
  const config = configOrExit();
  if (!config) return 1;
  const facilities = config.facilities.filter((f) => !values.facility || f.id === values.facility);
  if (facilities.length === 0) {
    console.error(`frontdesk sync-calendars: no facility "${values.facility}"`);
    return 2;
  }
  const store = await openStore(config.store, { ...(config.redis ? { redisUrl: config.redis } : {}) });
  let failed = 0;
  try {
    for (const f of facilities) {
      const baseUrl = f.provider.baseUrl === 'sandbox' ? `${values.url.replace(/\/+$/, '')}/sandbox/${f.id}/api/v1` : f.provider.baseUrl;
      const client = createProviderClient({ facilityId: f.id, baseUrl, userId: f.provider.userId, apiKey: f.provider.apiKey, timezone: f.timezone, timeoutMs: f.provider.timeoutMs, ...(f.provider.defaultAppointmentType ? { defaultAppointmentType: f.provider.defaultAppointmentType } : {}) });
      const r = await syncCalendars(f.id, client, store.calendars);
      if (r.ok) {
        console.log(`${f.id}: ${r.value.length} calendars`);
        for (const c of r.value) console.log(`  ${c.id.padEnd(12)} ${c.name}  (${c.appointmentTypes.map((t) => t.name).join(', ')})`);
      } else {
        failed += 1;
        console.error(`${f.id}: failed: ${r.error.kind}: ${r.error.message}`);
      }
    }
  } finally {
    await store.close();
  }
  return failed > 0 ? 1 : 0;
}
