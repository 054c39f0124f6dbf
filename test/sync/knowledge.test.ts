import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import type { Appointment, ProviderAppointment } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { renderReply } from '../../src/i18n/index.js';
import { createEmbeddedQueue, type EmbeddedQueue } from '../../src/jobs/embedded.js';
import { createLogger } from '../../src/log.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { applyProviderEvent, fireReminder } from '../../src/sync/apply.js';
import { describeNotice } from '../../src/sync/notices.js';

/** Reminders carry the clinic's knowledge about the visit: only what is configured. */

function facilityWith(over: Record<string, unknown>): FacilityConfig {
  const cfg = validateConfig({
    facilities: [
      {
        id: 'st-lukes',
        name: "St. Luke's",
        timezone: 'Asia/Manila',
        provider: { baseUrl: 'https://his.example/api/v1', userId: 'u', apiKey: 'his-api-key-0123456789', webhookSecret: 'whsec_dGVzdC1wcm92aWRlci13ZWJob29rLXNlY3JldA==' },
        ...over,
      },
    ],
  }, {});
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.error));
  return cfg.value.facilities[0]!;
}

const KNOWLEDGE = {
  info: { address: '123 Rizal Ave, Manila', mapUrl: 'https://maps.example.org/clinic', hotline: '+63 2 8123 4567' },
  calendars: { 'cal-1': { room: 'Room 12', clinicDays: 'Mon, Wed' } },
  appointmentTypes: { consult: { bring: 'your ID', preparation: 'No food after midnight', arriveEarlyMinutes: 20 } },
};

const appt = (over: Partial<ProviderAppointment> = {}): ProviderAppointment => ({
  appointmentId: 'A-1',
  status: 'SCHEDULED',
  start: '2026-12-03T14:00:00+08:00',
  calendarId: 'cal-1',
  appointmentTypeId: 'consult',
  patientId: 'P-9',
  patient: { name: 'Maria Santos', phone: '0917 123 4567' },
  ...over,
});
const mirror = (over: Partial<ProviderAppointment> = {}): Appointment => ({ ...appt(over), facilityId: 'st-lukes' });

describe('reminder rendering with the clinic knowledge', () => {
  const f = facilityWith(KNOWLEDGE);
  const lines = (locale: 'en' | 'fil' | 'id', a = mirror(), fac: FacilityConfig = f) =>
    renderReply(describeNotice('reminder', a, 'Dr. Reyes', fac.name, undefined, fac), locale, fac.timezone, fac.messages).text.split('\n');

  it('adds address, map, room, preparation, what to bring and the arrival minutes, in each language', () => {
    expect(lines('en')).toEqual([
      "Reminder: you have an appointment at St. Luke's on Thu, Dec 3, 2026, 2:00 PM with Dr. Reyes. Reference: A-1. Will you come?",
      'Address: 123 Rizal Ave, Manila',
      'Map: https://maps.example.org/clinic',
      'Room: Room 12',
      'Before your visit: No food after midnight',
      'Please bring: your ID',
      'Please arrive 20 minutes early.',
    ]);
    expect(lines('fil').slice(1)).toEqual(['Address: 123 Rizal Ave, Manila', 'Mapa: https://maps.example.org/clinic', 'Kuwarto: Room 12', 'Bago ang inyong pagbisita: No food after midnight', 'Pakidala po: your ID', 'Pakidating po 20 minuto bago ang oras.']);
    expect(lines('id').slice(1)).toEqual(['Alamat: 123 Rizal Ave, Manila', 'Peta: https://maps.example.org/clinic', 'Ruang: Room 12', 'Sebelum kunjungan: No food after midnight', 'Mohon bawa: your ID', 'Mohon datang 20 menit lebih awal.']);
  });

  it('omits what is not configured: another calendar and type get the address only; no knowledge, the reminder as before', () => {
    expect(lines('en', mirror({ calendarId: 'cal-2', appointmentTypeId: 'other' })).slice(1)).toEqual(['Address: 123 Rizal Ave, Manila', 'Map: https://maps.example.org/clinic']);
    const bare = facilityWith({});
    expect(lines('en', mirror(), bare)).toEqual(["Reminder: you have an appointment at St. Luke's on Thu, Dec 3, 2026, 2:00 PM with Dr. Reyes. Reference: A-1. Will you come?"]);
  });

  it("uses the facility's own wording for a line", () => {
    const own = facilityWith({ ...KNOWLEDGE, messages: { en: { 'booking.room': 'Go to {{room}} (ground floor).' } } });
    expect(lines('en', mirror(), own)).toContain('Go to Room 12 (ground floor).');
  });
});

describe('a reminder fired through sync', () => {
  let store: OpenedStore | undefined;
  let queue: EmbeddedQueue | undefined;
  afterEach(async () => {
    await queue?.stop();
    await store?.close();
  });

  it('reaches the patient with the knowledge lines and its choices', async () => {
    const facility = facilityWith({ ...KNOWLEDGE, reminders: ['P1D'] });
    store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'fd-know-')), 'db.sqlite')}`);
    const clock = Date.parse('2026-12-01T09:00:00+08:00');
    queue = createEmbeddedQueue({ backend: store.backend, now: () => clock });
    const sent: OutboundMessage[] = [];
    const deps = {
      store,
      queue,
      facility: (id: string) => (id === facility.id ? facility : undefined),
      calendarName: async () => 'Dr. Reyes',
      render: renderReply,
      send: async (m: OutboundMessage) => void sent.push(m),
      logger: createLogger({ level: 'silent' }),
      now: () => clock,
    };
    await applyProviderEvent(deps, facility.id, 'wh-1', { type: 'appointmentCreated', occurredAt: '2026-12-01T09:00:00+08:00', appointment: appt(), source: 'staff' });
    sent.length = 0;
    const [job] = (await store.appointments.get(facility.id, 'A-1'))!.reminderJobIds!;
    expect(await fireReminder(deps, job!, { facilityId: facility.id, appointmentId: 'A-1', start: '2026-12-03T14:00:00+08:00', offset: 'P1D' })).toBe('sent');
    expect(sent[0]!.purpose).toBe('reminder');
    expect(sent[0]!.reply.text).toContain('\nRoom: Room 12\n');
    expect(sent[0]!.reply.text).toContain('\nPlease arrive 20 minutes early.');
    expect(sent[0]!.reply.choices?.length).toBeGreaterThan(0);
  });
});
