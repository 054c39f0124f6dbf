import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createLogger } from '../../src/log.js';
import { createSandbox, type Sandbox, type SandboxFacility, type SandboxOptions } from '../../src/sandbox/index.js';

/** Monday 2 March 2026, 09:00 in Manila: tomorrow is an open Tuesday. */
export const NOW = new Date('2026-03-02T09:00:00+08:00');

export const FACILITY: SandboxFacility = { id: 'clinic-a', timezone: 'Asia/Manila', userId: 'clinic-a-user', apiKey: 'clinic-a-key' };
export const JUAN = { patientId: 'P-100001', name: 'Juan Dela Cruz', dob: '1985-03-14', phone: '+639171234567' };
export const ROSA = { temporaryPatientId: 'TMP-000001', name: 'Rosa Villanueva', dob: '1978-01-30', phone: '+639285550123' };

export const silent = createLogger({ level: 'silent' });

export interface Reply {
  status: number;
  body: any;  
  headers: Headers;
}

export interface Running {
  sandbox: Sandbox;
  origin: string;
  /** the facility's patient API, Basic auth included unless `auth` is given */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: string | null; facility?: SandboxFacility }): Promise<Reply>;
  staff(path: string, init?: { method?: string; body?: unknown; facility?: SandboxFacility }): Promise<Reply>;
  close(): Promise<void>;
}

export const basic = (f: SandboxFacility) => `Basic ${Buffer.from(`${f.userId}:${f.apiKey}`).toString('base64')}`;

export async function listen(app: Koa): Promise<{ server: Server; origin: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

export async function startSandbox(opts: Partial<SandboxOptions> = {}): Promise<Running> {
  const facilities = opts.facilities ?? [FACILITY];
  const sandbox = createSandbox({ now: () => NOW, logger: silent, webhookRetry: { maxAttempts: 4, initialDelayMs: 20 }, ...opts, facilities });
  const { server, origin } = await listen(sandbox.app);
  const first = facilities[0]!;
  return {
    sandbox,
    origin,
    api: (path, init = {}) => {
      const f = init.facility ?? first;
      const auth = init.auth === undefined ? basic(f) : init.auth;
      return call(`${origin}/sandbox/${f.id}/api/v1${path}`, { ...init, headers: { ...(auth ? { authorization: auth } : {}), ...init.headers } });
    },
    staff: (path, init = {}) => {
      const f = init.facility ?? first;
      return call(`${origin}/sandbox/${f.id}/staff${path}`, { ...init, headers: { authorization: basic(f) } });
    },
    close: async () => {
      await sandbox.flushWebhooks();
      await sandbox.stop();
      await close(server);
    },
  };
}

export interface Received {
  raw: string;
  headers: Record<string, string>;
  body: any;  
}

/** A bot-side webhook receiver: records every request; `failNext` answers 500 to the next n requests. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; failNext(n: number): void; close(): Promise<void> }> {
  const received: Received[] = [];
  let failures = 0;
  const app = new Koa();
  app.use(async (ctx) => {
    const raw = (await getRawBody(ctx.req)).toString('utf8');
    const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    received.push({ raw, headers, body: JSON.parse(raw) });
    if (failures > 0) {
      failures--;
      ctx.status = 500;
      ctx.body = { error: 'boom' };
      return;
    }
    ctx.status = 204;
  });
  const { server, origin } = await listen(app);
  return {
    url: `${origin}/webhooks/provider/clinic-a`,
    received,
    failNext: (n) => {
      failures = n;
    },
    close: () => close(server),
  };
}

/** The first offered slot of a calendar/type in the month after NOW's (all free on a fresh sandbox). */
export async function firstSlots(run: Running, calendarId: string, typeId: string, month = '2026-03'): Promise<{ start: string; end: string }[]> {
  const r = await run.api(`/availability?month=${month}&calendar_id=${calendarId}&appointment_type_id=${typeId}`);
  if (r.status !== 200) throw new Error(`availability ${r.status}`);
  return r.body.slots;
}

export const newPatient = (n = 1) => ({ name: `Test Patient ${n}`, dob: '1999-09-09', phone: `+6391700000${String(n).padStart(2, '0')}` });
