import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** a namespace no other test file or run shares */
export const uniqueNamespace = (label: string): string => `t-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** is something listening at the url's host:port */
export function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Outside CI a missing Redis/Postgres skips its suite; under CI the suite runs and fails on the
 * connection, so a broken CI setup can never pass quietly.
 */
export async function shouldSkip(url: string): Promise<boolean> {
  if (process.env.CI) return false;
  return !(await listening(url));
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
