import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProviderClient, type ProviderClientOptions } from '../../src/provider/client.js';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the fake answers; return nothing to leave the request hanging (or after destroying the socket). */
export type Handler = (req: SeenRequest, res: ServerResponse, n: number) => void | Promise<void>;

/** A real HTTP server on an ephemeral port standing in for a (misbehaving) provider. */
export async function fakeProvider(handler: Handler) {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      void handler(seen, res, requests.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** A client with fast retries, pointed at `url` + `/api/v1`. */
export function clientFor(url: string, overrides: Partial<ProviderClientOptions> = {}) {
  return createProviderClient({
    facilityId: 'test-facility',
    baseUrl: `${url}/api/v1`,
    userId: 'user-1',
    apiKey: 'key-1',
    timezone: 'Asia/Manila',
    timeoutMs: 3000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    breaker: { consecutiveFailures: 100, halfOpenAfterMs: 60_000 },
    ...overrides,
  });
}

/** A contract-shaped appointment object. */
export const appointmentFixture = (over: Record<string, unknown> = {}) => ({
  appointmentId: 'A-1',
  status: 'SCHEDULED',
  start: '2026-12-01T09:30:00+08:00',
  end: '2026-12-01T10:00:00+08:00',
  calendarId: 'cal-1',
  appointmentTypeId: 'type-1',
  patientId: 'P-1',
  patient: { name: 'Juan Dela Cruz', phone: '+639171234567', dob: '1990-05-01' },
  updatedAt: '2026-11-20T08:00:00+08:00',
  ...over,
});
