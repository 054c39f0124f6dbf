import type { ConfigInput } from './schema.js';

/** Demo secrets are public by design: the demo talks only to the sandbox inside the same process. */
/** the same secret the standalone sandbox (`npx frontdesk sandbox`) signs with */
export const DEMO_WEBHOOK_SECRET = 'whsec_ZnJvbnRkZXNrLXNhbmRib3gtZGVtby1zZWNyZXQ=';
export const DEMO_STAFF_TOKEN = 'demo-staff-token-change-me';

/**
 * The built-in config: one facility served by the sandbox provider, dev chat on, embedded store.
 * It listens on 127.0.0.1 only: its secrets are public and its dev chat lets anyone act as any patient.
 * Its staff token and webhook secret are refused in any other config (./checks.ts).
 */
export function demoConfig(): ConfigInput {
  return {
    port: 3000,
    host: '127.0.0.1',
    store: 'sqlite:./data/frontdesk.sqlite',
    staffTokens: [DEMO_STAFF_TOKEN],
    dev: true,
    sandbox: true,
    facilities: [
      {
        id: 'demo-clinic',
        name: 'Demo Clinic',
        timezone: 'Asia/Manila',
        locale: 'en',
        country: 'PH',
        rescheduleCutoffHours: 24,
        reminders: ['P1D', 'PT2H'],
        quietHours: { from: '21:00', to: '08:00' },
        staffContact: '+63 2 8123 4567',
        // clinic knowledge (README "Clinic knowledge and wording"): the Clinic info menu, summaries, reminders
        info: { address: '12 Mabini St, Quezon City', mapUrl: 'https://maps.example.org/demo-clinic', hours: 'Mon–Sat 8:00–12:00, 13:00–17:00', hotline: '+63 2 8123 4567', parking: 'Basement parking, free for patients' },
        calendars: { '101': { room: 'Room 201, 2nd floor', clinicDays: 'Mon–Sat' }, '102': { room: 'Pediatrics wing, Room 105', clinicDays: 'Mon–Sat' }, '201': { room: 'Laboratory, ground floor' } },
        appointmentTypes: { '2001': { preparation: 'Fast for 8 hours before a blood test', bring: 'your laboratory request' }, '1011': { bring: "your child's vaccination booklet" } },
        // care workflows (README "Care workflows"): with the desk's check-in / cancel / no-show buttons, these are
        // what the dev chat receives an hour later
        workflows: { rebookNudge: { after: 'PT1H' }, survey: { after: 'PT1H' } },
        provider: { baseUrl: 'sandbox', userId: 'demo-clinic', apiKey: 'demo-api-key', webhookSecret: DEMO_WEBHOOK_SECRET },
        channels: {},
      },
    ],
  };
}
