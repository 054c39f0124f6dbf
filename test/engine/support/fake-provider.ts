/**
 * A scheduling system outside our control, as a real local HTTP server speaking the provider contract:
 * enough endpoints for a booking, with idempotent creates, and a log of every request it served.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProvider {
  baseUrl: string;
  requests: { method: string; path: string; idempotencyKey?: string }[];
  appointments: Map<string, Record<string, unknown>>;
  /** delay every answer (lets turns overlap) */
  delayMs: number;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
};

export async function startFakeProvider(): Promise<FakeProvider> {
  const byKey = new Map<string, string>();
  const fake: FakeProvider = {
    baseUrl: '',
    requests: [],
    appointments: new Map(),
    delayMs: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  let nextId = 1;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = req.headers['idempotency-key'];
    fake.requests.push({ method: req.method ?? 'GET', path: url.pathname, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) });
    const body = await readBody(req);
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.method === 'GET' && url.pathname === '/calendars') {
      return send(200, { calendars: [{ id: 'cal-1', name: 'Dr. Cruz', timezone: 'Asia/Manila', appointmentTypes: [{ id: 'type-1', name: 'Consultation', durationMinutes: 30 }] }] });
    }
    if (req.method === 'GET' && url.pathname === '/availability') {
      return send(200, { slots: [{ start: '2031-03-03T09:00:00+08:00' }, { start: '2031-03-03T09:30:00+08:00' }] });
    }
    if (req.method === 'POST' && url.pathname === '/appointments') {
      const existing = typeof key === 'string' ? byKey.get(key) : undefined;
      if (existing) return send(201, fake.appointments.get(existing));
      const b = body as { calendarId: string; appointmentTypeId: string; start: string; patient: Record<string, unknown> };
      const id = `appt-${nextId++}`;
      const appt = { appointmentId: id, status: 'SCHEDULED', start: b.start, calendarId: b.calendarId, appointmentTypeId: b.appointmentTypeId, temporaryPatientId: `tmp-${id}`, patient: b.patient, updatedAt: new Date().toISOString() };
      fake.appointments.set(id, appt);
      if (typeof key === 'string') byKey.set(key, id);
      return send(201, appt);
    }
    if (req.method === 'GET' && url.pathname === '/appointments') {
      return send(200, { appointments: [...fake.appointments.values()] });
    }
    send(404, { error: 'not_found', message: 'no such route' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
