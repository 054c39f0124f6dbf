import Koa from 'koa';
import getRawBody from 'raw-body';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A local Koa server standing in for a platform's send API: records every request, answers with `answer(req, n)` (n from 1). */
export async function fakePlatform(answer: (req: CapturedRequest, n: number) => Answer, basePath = '') {
  const requests: CapturedRequest[] = [];
  const app = new Koa();
  app.use(async (ctx) => {
    const body = (await getRawBody(ctx.req)).toString('utf8');
    const req = { method: ctx.method, path: ctx.path, headers: ctx.headers, body };
    requests.push(req);
    const a = answer(req, requests.length);
    ctx.status = a.status;
    if (a.headers) ctx.set(a.headers);
    if (a.body !== undefined) ctx.body = a.body;
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
