import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SerialDeadItem, SerialHead, SerialLog, SerialStats } from '../types.js';

/**
 * The serial log in Redis, one Lua script per step (atomic, timed by the server's own clock so instances'
 * clocks never disagree). Under `prefix`:
 * - `seen:<id>`           the ledger: SET NX with the retention as its TTL
 * - `q:<queue>:<key>`     a key's FIFO: a list of JSON items `{id, payload, lane, at, attempts, err}`
 * - `ready:<queue>:<lane>` keys whose head may run, scored by when
 * - `lease:<queue>`       leased keys scored by lease expiry; `tok:<queue>` (hash) their lease tokens
 * - `heads:<queue>`       every non-empty key scored by its head's arrival (the oldest waiting item)
 * - `depth:<queue>`       items waiting or running; `dead:<queue>` dead letters scored by when
 * Scripts build key names from the prefix, so this is for one Redis (not Redis Cluster).
 */
const PRELUDE = `
local p, queue = ARGV[1], ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function qk(k) return p .. 'q:' .. queue .. ':' .. k end
local function readyKey(lane) return p .. 'ready:' .. queue .. ':' .. lane end
local leaseKey, tokKey, headsKey = p .. 'lease:' .. queue, p .. 'tok:' .. queue, p .. 'heads:' .. queue
local function advance(k)
  local nxt = redis.call('LINDEX', qk(k), 0)
  if nxt then
    local it = cjson.decode(nxt)
    redis.call('ZADD', readyKey(it.lane), now, k)
    redis.call('ZADD', headsKey, it.at, k)
  else
    redis.call('ZREM', headsKey, k)
  end
end
local function release(k, token)
  if redis.call('HGET', tokKey, k) ~= token then return false end
  redis.call('HDEL', tokKey, k)
  redis.call('ZREM', leaseKey, k)
  return true
end
`;

const PUSH = `${PRELUDE}
local key, id, payload, lane, ttl = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7]
if not redis.call('SET', p .. 'seen:' .. id, '1', 'NX', 'PX', ttl) then return 0 end
local n = redis.call('RPUSH', qk(key), cjson.encode({id = id, payload = payload, lane = lane, at = now, attempts = 0}))
redis.call('INCR', p .. 'depth:' .. queue)
if n == 1 then
  redis.call('ZADD', readyKey(lane), now, key)
  redis.call('ZADD', headsKey, now, key)
end
return 1`;

const CLAIM = `${PRELUDE}
local max, lease, base = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
for _, k in ipairs(redis.call('ZRANGEBYSCORE', leaseKey, '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', leaseKey, k)
  redis.call('HDEL', tokKey, k)
  local h = redis.call('LINDEX', qk(k), 0)
  if h then redis.call('ZADD', readyKey(cjson.decode(h).lane), now, k) end
end
local out, n = {}, 0
for lane = 0, 2 do
  if n >= max then break end
  local rk = readyKey(lane)
  for _, k in ipairs(redis.call('ZRANGEBYSCORE', rk, '-inf', now, 'LIMIT', 0, max - n)) do
    redis.call('ZREM', rk, k)
    local h = redis.call('LINDEX', qk(k), 0)
    if h then
      local tok = base .. ':' .. n
      redis.call('ZADD', leaseKey, now + lease, k)
      redis.call('HSET', tokKey, k, tok)
      out[#out + 1] = k
      out[#out + 1] = tok
      out[#out + 1] = h
      n = n + 1
    end
  end
end
return out`;

const COMPLETE = `${PRELUDE}
local key, token, id = ARGV[3], ARGV[4], ARGV[5]
if not release(key, token) then return 0 end
local h = redis.call('LINDEX', qk(key), 0)
if h and cjson.decode(h).id == id then
  redis.call('LPOP', qk(key))
  redis.call('DECR', p .. 'depth:' .. queue)
end
advance(key)
return 1`;

const RETRY = `${PRELUDE}
local key, token, id, delay, err = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7]
if not release(key, token) then return 0 end
local h = redis.call('LINDEX', qk(key), 0)
if not h then return 1 end
local it = cjson.decode(h)
if it.id == id then
  it.attempts = it.attempts + 1
  it.err = err
  redis.call('LSET', qk(key), 0, cjson.encode(it))
end
redis.call('ZADD', readyKey(it.lane), now + delay, key)
return 1`;

const BURY = `${PRELUDE}
local key, token, id, err, keep = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7] == '1'
if not release(key, token) then return 0 end
local h = redis.call('LINDEX', qk(key), 0)
if h then
  local it = cjson.decode(h)
  if it.id == id then
    redis.call('LPOP', qk(key))
    redis.call('DECR', p .. 'depth:' .. queue)
    local dead = {key = key, id = id, attempts = it.attempts + 1, error = err, at = now}
    if keep then dead.payload = it.payload end
    redis.call('ZADD', p .. 'dead:' .. queue, now, cjson.encode(dead))
  end
end
advance(key)
return 1`;

const RENEW = `${PRELUDE}
local key, token, lease = ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('HGET', tokKey, key) ~= token then return 0 end
redis.call('ZADD', leaseKey, 'XX', now + lease, key)
return 1`;

interface Item {
  id: string;
  payload: string;
  lane: 0 | 1 | 2;
  at: number;
  attempts: number;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

export function redisSerialLog(redis: Redis, prefix: string): SerialLog {
  const scripts = { PUSH, CLAIM, COMPLETE, RETRY, BURY, RENEW };
  const run = {} as Record<keyof typeof scripts, Script>;
  for (const [name, lua] of Object.entries(scripts) as [keyof typeof scripts, string][]) {
    const command = `frontdeskSerial${name}`;
    if (!(command in redis)) redis.defineCommand(command, { numberOfKeys: 0, lua });
    run[name] = (...args) => (redis as unknown as Record<string, Script>)[command]!(...args);
  }
  const step = async (name: 'COMPLETE' | 'RETRY' | 'BURY' | 'RENEW', h: SerialHead, ...rest: (string | number)[]) =>
    (await run[name](prefix, h.queue, h.key, h.token, ...rest)) === 1;

  return {
    push: async (queue, item, ttl) => (await run.PUSH(prefix, queue, item.key, item.id, item.payload, item.lane, Math.max(1, Math.ceil(ttl)))) === 1,
    async claim(queue, max, leaseMs) {
      const flat = (await run.CLAIM(prefix, queue, max, Math.ceil(leaseMs), randomUUID())) as string[];
      const out: SerialHead[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const it = JSON.parse(flat[i + 2]!) as Item;
        out.push({ queue, key: flat[i]!, token: flat[i + 1]!, id: it.id, payload: it.payload, lane: it.lane, enqueuedAt: it.at, attempts: it.attempts });
      }
      return out;
    },
    complete: (h) => step('COMPLETE', h, h.id),
    retry: (h, delayMs, error) => step('RETRY', h, h.id, Math.max(0, Math.ceil(delayMs)), error),
    bury: (h, error, keepPayload) => step('BURY', h, h.id, error, keepPayload ? '1' : '0'),
    renew: (h, leaseMs) => step('RENEW', h, Math.ceil(leaseMs)),
    async stats(queue): Promise<SerialStats> {
      const [depth, oldest, leased, dead] = await Promise.all([
        redis.get(`${prefix}depth:${queue}`),
        redis.zrange(`${prefix}heads:${queue}`, 0, 0, 'WITHSCORES'),
        redis.zcard(`${prefix}lease:${queue}`),
        redis.zcard(`${prefix}dead:${queue}`),
      ]);
      return { depth: Math.max(0, Number(depth ?? 0)), ...(oldest[1] ? { oldestAt: Number(oldest[1]) } : {}), leased, dead };
    },
    seen: async (id) => (await redis.exists(`${prefix}seen:${id}`)) === 1,
    async dead(queue, limit = 100) {
      const rows = await redis.zrevrange(`${prefix}dead:${queue}`, 0, limit - 1);
      return rows.map((r) => {
        const d = JSON.parse(r) as Omit<SerialDeadItem, 'queue' | 'payload'> & { payload?: string };
        return { queue, key: d.key, id: d.id, payload: d.payload ?? null, attempts: d.attempts, error: d.error, at: d.at };
      });
    },
    async purge(deadBefore) {
      let removed = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}dead:*`, 'COUNT', 200);
        cursor = next;
        for (const k of keys) removed += await redis.zremrangebyscore(k, '-inf', `(${deadBefore}`);
      } while (cursor !== '0');
      return removed; // the ledger expires by itself (PX)
    },
  };
}
