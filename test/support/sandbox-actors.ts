import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppointmentStatus, Calendar, LocaleCode, ProviderAppointment, ProviderClient, Slot } from '../../src/core/index.js';
import type { FlowContact, FlowFacility } from '../../flows/protocol.js';
import { createLogger } from '../../src/log.js';
import { createProviderClient } from '../../src/provider/client.js';
import { createSandbox, type Sandbox, type SandboxFacility } from '../../src/sandbox/index.js';
import { createChat, type Chat } from './transcript.js';

/**
 * The conversation machine over the REAL sandbox provider: a sandbox on an ephemeral port and the real provider
 * client pointed at it, under the production turn and actors (test/support/transcript.ts). Every provider call
 * of the machine crosses real HTTP.
 *
 * One fixed instant is both the sandbox's `now()` and the transcript's first message, so the slots the
 * sandbox offers ("from tomorrow for 90 days") and the dates the conversation reasons about agree.
 */

export const SANDBOX_TZ = 'Asia/Manila';
/** Monday 30 Nov 2026, 09:00 Manila */
export const SANDBOX_NOW = '2026-11-30T09:00:00+08:00';

/** Seeded registered patient P-100001 (src/sandbox/seed.ts): SCHEDULED 101/1001 consultation 3 days after now. */
export const JUAN = { name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567', gender: 'male', patientId: 'P-100001' } as const;
/** Seeded unregistered patient TMP-000001: SCHEDULED 201/2001 laboratory test 2 days after now. */
export const ROSA = { name: 'Rosa Villanueva', dob: '1978-01-30', phone: '+639285550123', gender: 'female', temporaryPatientId: 'TMP-000001' } as const;

export type StaffAppointment = ProviderAppointment & { source?: string };

export interface SandboxWorld {
  sandbox: Sandbox;
  facilityId: string;
  /** the provider client the actors use (real HTTP) */
  client: ProviderClient;
  calendars: Calendar[];
  /** a conversation over these actors; the clock starts at the world's `now` */
  chat(opts: { contact: Partial<FlowContact>; locale?: LocaleCode; facility?: Partial<FlowFacility>; calendars?: Calendar[] }): Chat;
  /** `GET /sandbox/:id/staff/appointments` (the hospital's view) */
  staffAppointments(q?: { status?: AppointmentStatus; calendarId?: string; date?: string }): Promise<StaffAppointment[]>;
  /** `PUT /sandbox/:id/staff/appointments/:id/cancel` (no cutoff for staff) */
  staffCancel(appointmentId: string): Promise<void>;
  /** the open slots of a calendar/type in a month, straight from the sandbox */
  slots(calendarId: string, appointmentTypeId: string, month: string): Promise<Slot[]>;
  /** moves the sandbox's clock (the chat's clock moves with `chat.setClock`) */
  setNow(iso: string): void;
  close(): Promise<void>;
}

export interface SandboxWorldOptions {
  /** ISO instant: the sandbox's fixed now() and the first message's time (default SANDBOX_NOW) */
  now?: string;
  seed?: number;
  facility?: Partial<Omit<SandboxFacility, 'id' | 'timezone' | 'userId' | 'apiKey'>>;
}

let worlds = 0;

export async function startSandboxWorld(opts: SandboxWorldOptions = {}): Promise<SandboxWorld> {
  const now = opts.now ?? SANDBOX_NOW;
  let clock = new Date(now);
  const facilityId = `flows-${process.pid}-${++worlds}`;
  const userId = `${facilityId}-user`;
  const apiKey = `key-${Math.random().toString(36).slice(2)}`;
  const sandbox = createSandbox({
    facilities: [{ id: facilityId, timezone: SANDBOX_TZ, userId, apiKey, ...opts.facility }],
    now: () => clock,
    seed: opts.seed ?? 1,
    logger: createLogger({ level: 'silent' }),
  });
  const server: Server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const client = createProviderClient({
    facilityId,
    baseUrl: `${origin}/sandbox/${facilityId}/api/v1`,
    userId,
    apiKey,
    timezone: SANDBOX_TZ,
    timeoutMs: 10_000,
    logger: createLogger({ level: 'silent' }),
  });
  const calendars = await client.listCalendars();
  if (!calendars.ok) throw new Error(`sandbox calendars: ${calendars.error.kind} ${calendars.error.message}`);

  const auth = `Basic ${Buffer.from(`${userId}:${apiKey}`).toString('base64')}`;
  const staff = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${origin}/sandbox/${facilityId}/staff${path}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json();
    if (!res.ok) throw new Error(`staff ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  let chats = 0;
  return {
    sandbox,
    facilityId,
    client,
    calendars: calendars.value,
    chat: (o) =>
      createChat({
        facility: { id: facilityId, name: 'Sandbox Clinic', timezone: SANDBOX_TZ, locale: o.locale ?? 'en', country: 'PH', cutoffHours: opts.facility?.cutoffHours ?? 24, askNationalId: false, ...o.facility },
        contact: { id: `c${++chats}`, channel: 'messenger', ...o.contact },
        calendars: o.calendars ?? calendars.value,
        provider: client,
        startAt: now,
      }),
    staffAppointments: async (q = {}) => {
      const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
      const body = (await staff('GET', `/appointments${params.size ? `?${params}` : ''}`)) as { appointments: StaffAppointment[] };
      return body.appointments;
    },
    staffCancel: async (appointmentId) => {
      await staff('PUT', `/appointments/${encodeURIComponent(appointmentId)}/cancel`, { reason: 'test setup' });
    },
    slots: async (calendarId, appointmentTypeId, month) => {
      const r = await client.availability({ month, calendarId, appointmentTypeId });
      if (!r.ok) throw new Error(`sandbox availability: ${r.error.kind} ${r.error.message}`);
      return r.value;
    },
    setNow: (iso) => {
      clock = new Date(iso);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await sandbox.stop();
    },
  };
}
