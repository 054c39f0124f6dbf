import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import type { ClinicError, ClinicResult } from './clinic.js';

/** An error for the client: rendered as `{"error","message"}` with its status. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const httpError = (e: ClinicError) => new SandboxHttpError(e.status, e.code, e.message);

export function unwrap<T>(r: ClinicResult<T>): T {
  if (!r.ok) throw httpError(r.error);
  return r.value;
}

export function errorsAsJson(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (e) {
      if (e instanceof SandboxHttpError) {
        ctx.status = e.status;
        ctx.body = { error: e.code, message: e.message };
        if (e.status === 401) ctx.set('WWW-Authenticate', 'Basic realm="sandbox"');
        return;
      }
      logger.error({ err: { message: (e as Error).message }, path: ctx.path }, 'sandbox request failed');
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'Something went wrong in the sandbox' };
    }
  };
}

/** The JSON body; an outer body parser may have read it already. Empty → undefined. */
export async function readJson(ctx: Context): Promise<unknown> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: '1mb', length: ctx.request.length });
  } catch {
    throw new SandboxHttpError(400, 'invalid_request', 'Could not read the request body');
  }
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SandboxHttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new SandboxHttpError(400, 'invalid_request', `${where}${first?.message ?? 'invalid request'}`);
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** HTTP Basic: `USER_ID:API_KEY` of the facility, else 401. */
export function requireBasic(ctx: Context, userId: string, apiKey: string): void {
  const header = ctx.get('authorization');
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const sep = decoded.indexOf(':');
  if (sep < 0 || !same(decoded.slice(0, sep), userId) || !same(decoded.slice(sep + 1), apiKey)) {
    throw new SandboxHttpError(401, 'unauthorized', 'Missing or wrong credentials');
  }
}
