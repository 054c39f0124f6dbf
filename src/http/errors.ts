import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';

/** An error meant for the client: status + stable code + message. Thrown inside routes, rendered as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message = 'unauthorized') => new HttpError(401, 'unauthorized', message);
export const notFound = (message = 'not found') => new HttpError(404, 'not_found', message);
export const payloadTooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `the body is over ${limit} bytes`);

/** Longest message an error answer carries; longer ones are cut (a refusal never grows with the request). */
export const MAX_ERROR_MESSAGE = 300;
/** How many details (e.g. validation issues) an error answer lists at most. */
export const MAX_ERROR_DETAILS = 5;

/** A message cut to `max` characters (with an ellipsis), so an error answer stays small whatever the input. */
export const boundMessage = (message: string, max = MAX_ERROR_MESSAGE): string => (message.length <= max ? message : `${message.slice(0, max - 1)}…`);

/** The first few details, each bounded; a note says how many were left out. Non-arrays pass through bounded as a string. */
export function boundDetails(details: unknown): unknown {
  if (details === undefined) return undefined;
  if (!Array.isArray(details)) return typeof details === 'string' ? boundMessage(details) : details;
  const shown = details.slice(0, MAX_ERROR_DETAILS).map((d) => (typeof d === 'string' ? boundMessage(d, 200) : d));
  return details.length > MAX_ERROR_DETAILS ? [...shown, `… and ${details.length - MAX_ERROR_DETAILS} more`] : shown;
}

/**
 * What every webhook answers when the request is not authenticated: a missing, malformed or wrong signature,
 * and a page / number / facility this service does not know (which cannot be authenticated). One body for
 * all, so a caller without the secret learns nothing about what is configured.
 */
export const UNAUTHENTICATED = { error: 'invalid_signature', message: 'the request could not be authenticated' } as const;

export function refuseUnauthenticated(ctx: Context): void {
  ctx.status = 401;
  ctx.body = { ...UNAUTHENTICATED };
}

/** Every error leaves as `{"error","message"}`; a bug is a 500 with no stack and no request body echoed. */
export function jsonErrors(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: boundMessage(`no route for ${ctx.method} ${ctx.path}`) };
      }
    } catch (e) {
      if (e instanceof HttpError) {
        ctx.status = e.status;
        const details = boundDetails(e.details);
        ctx.body = { error: e.code, message: boundMessage(e.message), ...(details !== undefined ? { details } : {}) };
        return;
      }
      const status = (e as { status?: number; expose?: boolean }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: status === 413 ? 'payload_too_large' : 'bad_request', message: boundMessage((e as Error).message) };
        return;
      }
      logger.error({ err: e, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal', message: 'internal error' };
    }
  };
}
