import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Graph API received. */
export interface Hit {
  method: string;
  /** path without the query, e.g. /v25.0/106540352242922/messages */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** the JSON body, parsed (undefined when empty) */
  body: any;
  /** Date.now() when it arrived */
  at: number;
}

/** What the fake answers: a status, a JSON body, headers, and optionally a delay (to make the client time out). */
export interface Scripted {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** The Messages API's 200 for the n-th request. */
export const accepted = (n: number, to = '16505551234'): Scripted => ({
  status: 200,
  body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.OUT.${n}` }] },
});

/** A Graph error body as Cloud API sends it. */
export const graphError = (status: number, code: number, message: string, details?: string, headers?: Record<string, string>): Scripted => ({
  status,
  body: { error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}), fbtrace_id: 'AbCdEf0123' } },
  ...(headers ? { headers } : {}),
});

/**
 * A real HTTP server on an ephemeral port standing in for graph.facebook.com (base path /v25.0): records every
 * request and answers with `answer(hit, n)` (n from 1), by default a 200 with `wamid.OUT.<n>`.
 */
export async function fakeWhatsApp(answer: (hit: Hit, n: number) => Scripted = (_h, n) => accepted(n)) {
  const hits: Hit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let respond = answer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      const hit: Hit = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: raw ? JSON.parse(raw) : undefined, at: Date.now() };
      hits.push(hit);
      const a = respond(hit, hits.length);
      const write = (r: ServerResponse) => {
        if (r.destroyed) return;
        r.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        r.end(a.body === undefined ? '' : JSON.stringify(a.body));
      };
      if (!a.delayMs) return write(res);
      const t = setTimeout(() => {
        timers.delete(t);
        write(res);
      }, a.delayMs);
      timers.add(t);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v25.0`,
    hits,
    /** change the answers from here on */
    answer(next: (hit: Hit, n: number) => Scripted) {
      respond = next;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakeWhatsApp = Awaited<ReturnType<typeof fakeWhatsApp>>;
