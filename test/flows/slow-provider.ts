import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A misbehaving hop on a real HTTP server, in front of a real upstream (the sandbox provider, or
 * frontdesk's webhook receiver). Per request, `fault` decides:
 *   pass  forwarded, answered
 *   lose  forwarded (the upstream acts on it: books, moves, cancels), its answer never comes back
 *   down  not forwarded: 503, as a provider that is down
 *   hold  not forwarded until release() (a webhook delivered late)
 */
export type Fault = 'pass' | 'lose' | 'down' | 'hold';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  fault: Fault;
}

export async function faultyProxy(target: string, fault: (req: Omit<SeenRequest, 'fault'>, n: number) => Fault = () => 'pass') {
  const upstream = new URL(target);
  const requests: SeenRequest[] = [];
  const held: (() => void)[] = [];
  const lost: ServerResponse[] = [];
  let upstreamDone = 0;
  const forward = (seen: SeenRequest, res: ServerResponse | undefined) => {
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: seen.method, path: seen.url, headers: { ...seen.headers, host: upstream.host } },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          upstreamDone++;
          if (!res || res.destroyed) return;
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    out.on('error', () => {
      if (res && !res.headersSent) res.writeHead(502).end();
    });
    out.end(seen.body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const base = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const seen: SeenRequest = { ...base, fault: fault(base, requests.length + 1) };
      requests.push(seen);
      switch (seen.fault) {
        case 'pass':
          return forward(seen, res);
        case 'lose':
          lost.push(res);
          return forward(seen, undefined);
        case 'down':
          res.writeHead(503, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: 'unavailable', message: 'scheduling system is down' }));
        case 'hold':
          return void held.push(() => forward(seen, res));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    /** how many forwarded requests the upstream has answered (lost ones included) */
    upstreamAnswered: () => upstreamDone,
    /** forwards every held request now */
    release() {
      for (const go of held.splice(0)) go();
    },
    heldCount: () => held.length,
    close: async () => {
      for (const r of lost.splice(0)) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export type FaultyProxy = Awaited<ReturnType<typeof faultyProxy>>;
