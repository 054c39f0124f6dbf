import { Redis } from 'ioredis';
import { StoreError } from '../errors.js';

/** Compare-and-delete: removes the key only while it still holds `owner` (claims and locks). */
export const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Compare-and-extend: renews a lock's expiry only while it is still ours. */
export const EXTEND_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Connects an ioredis client and fails fast when the server is not there (ioredis would otherwise
 * queue commands and retry forever, which hangs callers and keeps the process alive).
 */
export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  client.on('error', () => {
    // connection errors surface on the commands themselves; an unhandled 'error' event would crash
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (cause) {
    client.disconnect();
    throw new StoreError('unreachable', 'redis is not reachable', { cause });
  }
}

/** Closes politely, then for sure. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
  } catch {
    // already gone
  } finally {
    client.disconnect();
  }
}
