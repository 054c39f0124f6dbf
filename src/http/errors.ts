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

/** Every error leaves as `{"error","message"}`; a bug is a 500 with no stack and no request body echoed. */
export function jsonErrors(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` };
      }
    } catch (e) {
      if (e instanceof HttpError) {
        ctx.status = e.status;
        ctx.body = { error: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
        return;
      }
      const status = (e as { status?: number; expose?: boolean }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: status === 413 ? 'payload_too_large' : 'bad_request', message: (e as Error).message };
        return;
      }
      logger.error({ err: e, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal', message: 'internal error' };
    }
  };
}
