import { afterEach, describe, expect, it } from 'vitest';
import { syncCalendars } from '../../src/provider/calendar-sync.js';
import { CalendarStore } from '../../src/store/calendars.js';
import type { KeyValue } from '../../src/store/types.js';
import { clientFor, fakeProvider, sendJson } from './fake-provider.js';

function mapKeyValue(): KeyValue & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    async get<T>(key: string) {
      return map.get(key) as T | undefined;
    },
    async set<T>(key: string, value: T) {
      map.set(key, structuredClone(value));
    },
    async delete(key: string) {
      return map.delete(key);
    },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe('calendar sync', () => {
  it('stores the fetched calendars under calendars:<facilityId> with syncedAt', async () => {
    let healthy = true;
    const fake = await fakeProvider((_req, res) =>
      healthy ? sendJson(res, 200, [{ id: 1, name: 'Dr. Santos', appointmentTypes: [] }]) : sendJson(res, 500, {}),
    );
    closers.push(fake.close);
    const kv = mapKeyValue();
    const client = clientFor(fake.url, { defaultAppointmentType: { id: 'gen', name: 'General', durationMinutes: 20 }, retry: { maxAttempts: 1 } });
    expect(await new CalendarStore(kv).get('st-lukes')).toBeUndefined();

    const synced = await syncCalendars('st-lukes', client, new CalendarStore(kv), () => new Date('2026-11-30T00:00:00Z'));
    const calendars = [{ id: '1', name: 'Dr. Santos', appointmentTypes: [{ id: 'gen', name: 'General', durationMinutes: 20 }] }];
    expect(synced).toEqual({ ok: true, value: calendars });
    expect([...kv.map.keys()]).toEqual(['calendars:st-lukes']);
    expect(await new CalendarStore(kv).get('st-lukes')).toEqual({ calendars, syncedAt: '2026-11-30T00:00:00.000Z' });

    // a failed sync reports the error and keeps the last good copy
    healthy = false;
    const failed = await syncCalendars('st-lukes', client, new CalendarStore(kv));
    expect(failed).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    expect(await new CalendarStore(kv).get('st-lukes')).toEqual({ calendars, syncedAt: '2026-11-30T00:00:00.000Z' });
    expect(await new CalendarStore(kv).get('other-clinic')).toBeUndefined();
  });
});
