import KeyvRedis from '@keyv/redis';
import type { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { StoreError } from '../errors.js';
import type { Indexes } from '../types.js';
import { KeyvValues, finiteScore } from './keyv-values.js';
import { SCAN_PAGE, type NamespacedBackend } from './namespaced.js';
import { RELEASE_IF_OWNER, closeRedis, connectRedis } from './redis-client.js';
import { redisSerialLog } from './serial-redis.js';

const scoreArg = (n: number): string => (Number.isFinite(n) ? String(n) : n > 0 ? '+inf' : '-inf');

/** Sorted sets are Redis sorted sets; claims are `SET NX PX` keys released by compare-and-delete. */
class RedisIndexes implements Indexes {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private z(set: string): string {
    return `${this.prefix}z:${set}`;
  }
  private c(key: string): string {
    return `${this.prefix}c:${key}`;
  }

  async add(set: string, member: string, score = 0): Promise<void> {
    await this.redis.zadd(this.z(set), finiteScore(score), member);
  }
  async remove(set: string, member: string): Promise<void> {
    await this.redis.zrem(this.z(set), member);
  }
  async members(set: string): Promise<string[]> {
    return this.redis.zrange(this.z(set), 0, -1);
  }
  async range(set: string, min: number, max: number, limit?: number): Promise<{ member: string; score: number }[]> {
    const flat =
      limit === undefined
        ? await this.redis.zrangebyscore(this.z(set), scoreArg(min), scoreArg(max), 'WITHSCORES')
        : await this.redis.zrangebyscore(this.z(set), scoreArg(min), scoreArg(max), 'WITHSCORES', 'LIMIT', 0, limit);
    const out: { member: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i]!, score: Number(flat[i + 1]) });
    return out;
  }
  async claim(key: string, owner: string, ttlMs?: number): Promise<boolean> {
    const reply = ttlMs
      ? await this.redis.set(this.c(key), owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
      : await this.redis.set(this.c(key), owner, 'NX');
    return reply === 'OK';
  }
  async claimedBy(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.c(key))) ?? undefined;
  }
  async release(key: string, owner: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_IF_OWNER, 1, this.c(key), owner)) === 1;
  }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

const glob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** keys matching `prefix*` (SCAN, never KEYS), of one Redis type when given */
async function* scanPrefix(redis: Redis, prefix: string, type?: 'string' | 'zset'): AsyncIterable<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = type
      ? await redis.scan(cursor, 'MATCH', `${glob(prefix)}*`, 'COUNT', SCAN_PAGE, 'TYPE', type)
      : await redis.scan(cursor, 'MATCH', `${glob(prefix)}*`, 'COUNT', SCAN_PAGE);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** where the serial log lives in Redis, whether Redis is the store or only the queue */
export const serialPrefix = (namespace: string) => `${namespace}:s:`;

export async function openRedisBackend(url: string, namespace: string): Promise<NamespacedBackend> {
  const redis = await connectRedis(url);
  const adapter = new KeyvRedis(url, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5_000 });
  // KeyvRedis prefixes keys itself (`<namespace>::<key>`), so keyv must not prefix them again
  const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false, throwOnErrors: true });
  keyv.on('error', () => {
    // thrown to the caller as well (throwOnErrors); nothing more to do with the event
  });
  try {
    await keyv.get('__ping__');
  } catch (cause) {
    await closeRedis(redis);
    await adapter.disconnect(true).catch(() => undefined);
    throw new StoreError('unreachable', 'redis is not reachable (keyv)', { cause });
  }
  let closed = false;
  return {
    kind: 'redis',
    namespace,
    kv: new KeyvValues(keyv),
    indexes: new RedisIndexes(redis, `${namespace}:`),
    serial: redisSerialLog(redis, serialPrefix(namespace)),
    async ping() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    // keyv's values are `<ns>::<key>`; sorted sets `<ns>:z:<name>`; claims `<ns>:c:<key>` (see RedisIndexes)
    async *scanKeys(p) {
      const head = `${namespace}::`;
      for await (const keys of scanPrefix(redis, head + p)) for (const k of keys) yield k.slice(head.length);
    },
    async *scanSets(p) {
      const head = `${namespace}:z:`;
      for await (const keys of scanPrefix(redis, head + p, 'zset')) for (const k of keys) yield k.slice(head.length);
    },
    async *scanClaims(p) {
      const head = `${namespace}:c:`;
      for await (const keys of scanPrefix(redis, head + p, 'string')) {
        const owners = await redis.mget(...keys);
        for (let i = 0; i < keys.length; i++) if (owners[i] !== null && owners[i] !== undefined) yield { key: keys[i]!.slice(head.length), owner: owners[i]! };
      }
    },
    // Redis expires values and claims itself
    async purgeExpired() {
      return 0;
    },
    async clearNamespace() {
      await deleteByPrefix(redis, `${namespace}:`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await adapter.disconnect().catch(() => adapter.disconnect(true));
      await closeRedis(redis);
    },
  };
}
