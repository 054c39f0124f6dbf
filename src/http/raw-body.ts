import getRawBody from 'raw-body';
import type { Context } from 'koa';
import type { RawRequest } from '../core/channel.js';

const LIMIT = '1mb';

/** Reads the body as bytes, untouched: signatures are computed over exactly these. */
export async function readRawBody(ctx: Context): Promise<Buffer> {
  return getRawBody(ctx.req, { limit: LIMIT, length: ctx.request.length });
}

const lowerHeaders = (h: Context['headers']): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]));

/** The request as the platform sent it; `publicBase` is the deployment's public URL (Twilio signs it, not our internal one). */
export async function toRawRequest(ctx: Context, publicBase: string | undefined): Promise<RawRequest> {
  const rawBody = await readRawBody(ctx);
  const base = (publicBase ?? ctx.origin).replace(/\/+$/, '');
  return {
    rawBody,
    headers: lowerHeaders(ctx.headers),
    publicUrl: `${base}${ctx.url}`,
    query: Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
  };
}

/** Parses a JSON body read raw (staff routes); a bad body is a 400 by the caller. */
export async function readJson(ctx: Context): Promise<unknown> {
  const raw = await readRawBody(ctx);
  if (raw.length === 0) return undefined;
  return JSON.parse(raw.toString('utf8'));
}
