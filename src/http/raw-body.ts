import getRawBody from 'raw-body';
import type { Context } from 'koa';
import type { RawRequest } from '../core/channel.js';
import { HttpError, payloadTooLarge } from './errors.js';

const MiB = 1024 * 1024;

/**
 * The most each route reads, in bytes: a little above what its platform can send, so a body over it is an
 * attack or a mistake and is answered 413 before anything is read.
 * - SMS (Twilio form): Body is at most 1,600 characters and an MMS carries at most 10 media URLs; even with
 *   every character percent-encoded as 4-byte UTF-8 the whole form stays under ~25 KB.
 * - Viber callback: a text is at most 7,000 characters (tracking_data 2,048), under ~100 KB JSON-escaped.
 * - Messenger: Meta batches several entries (and messaging items) in one delivery; 1 MiB as before.
 * - provider webhooks: one event with one appointment; 1 MiB as before.
 */
export const BODY_LIMITS = {
  provider: 1 * MiB,
  /** staff and other JSON routes */
  default: 1 * MiB,
} as const;

/**
 * Reads the body as bytes, untouched: signatures are computed over exactly these. A declared
 * Content-Length over `limit` is refused (413) before a byte is read; a body without one is read only
 * up to `limit`. Errors are HttpErrors (413, or 400 for a body cut short / not matching its length).
 */
export async function readRawBody(ctx: Context, limit: number = BODY_LIMITS.default): Promise<Buffer> {
  const length = ctx.request.length;
  if (length !== undefined && length > limit) throw payloadTooLarge(limit);
  try {
    return await getRawBody(ctx.req, { limit, length });
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 413) throw payloadTooLarge(limit);
    if (typeof status === 'number' && status >= 400 && status < 500) throw new HttpError(400, 'bad_request', 'the body could not be read');
    throw e;
  }
}

const lowerHeaders = (h: Context['headers']): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]));

/**
 * The URL the platform called, for Twilio's signature: `publicBase` + path and query when the deployment
 * has a public URL (the platform signs that one, not our internal address); otherwise the request's own
 * protocol and Host (which honour X-Forwarded-* only with `trustProxy`). Never the Origin header: a
 * platform's server-to-server call has none. '' when there is no Host either (the check then fails).
 */
export function requestUrl(ctx: Context, publicBase: string | undefined): string {
  if (publicBase) return `${publicBase.replace(/\/+$/, '')}${ctx.url}`;
  const host = ctx.host;
  return host ? `${ctx.protocol}://${host}${ctx.url}` : '';
}

export interface RawRequestOptions {
  /** the deployment's public URL (Twilio signs it, not our internal one) */
  publicBase?: string | undefined;
  /** the route's body cap in bytes */
  limit: number;
}

/** The request as the platform sent it. `publicUrl` is computed only when a channel reads it (only Twilio does). */
export async function toRawRequest(ctx: Context, opts: RawRequestOptions): Promise<RawRequest> {
  const rawBody = await readRawBody(ctx, opts.limit);
  let url: string | undefined;
  return {
    rawBody,
    headers: lowerHeaders(ctx.headers),
    get publicUrl() {
      url ??= requestUrl(ctx, opts.publicBase);
      return url;
    },
    query: Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
  };
}

/** Parses a JSON body read raw (staff routes); a bad body is a 400 by the caller. */
export async function readJson(ctx: Context, limit: number = BODY_LIMITS.default): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) return undefined;
  return JSON.parse(raw.toString('utf8'));
}
