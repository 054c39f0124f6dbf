import { StoreError } from '../errors.js';
import type { NamespacedBackend } from './namespaced.js';
import { openPostgresBackend } from './postgres.js';
import { openRedisBackend } from './redis.js';
import { openSqliteBackend } from './sqlite.js';

export const DEFAULT_NAMESPACE = 'fd';
const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

/** `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`), `redis://` / `rediss://`, `postgres://` / `postgresql://`. */
export type StoreUrlKind = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string } | { kind: 'postgres'; url: string };

export function parseStoreUrl(url: string): StoreUrlKind {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (!path) throw new StoreError('bad_url', 'sqlite store url needs a path, e.g. sqlite:./data/frontdesk.sqlite');
    return { kind: 'sqlite', path };
  }
  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  throw new StoreError('bad_url', 'store url must start with sqlite:, redis://, rediss://, postgres:// or postgresql://');
}

export async function openBackend(url: string, namespace: string = DEFAULT_NAMESPACE): Promise<NamespacedBackend> {
  if (!NAMESPACE.test(namespace)) {
    throw new StoreError('bad_namespace', 'namespace must be 1-64 letters, digits, "-" or "_"');
  }
  const parsed = parseStoreUrl(url);
  switch (parsed.kind) {
    case 'sqlite':
      return openSqliteBackend(parsed.path, namespace);
    case 'redis':
      return openRedisBackend(parsed.url, namespace);
    case 'postgres':
      return openPostgresBackend(parsed.url, namespace);
  }
}
