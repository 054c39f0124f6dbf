import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { SerialDeadItem, SerialHead, SerialItemInput, SerialLog, SerialStats } from '../types.js';

type Db = BetterSqlite3.Database;
type Lane = 0 | 1 | 2;

interface PendingPush {
  queue: string;
  item: SerialItemInput;
  ttl: number;
  resolve(fresh: boolean): void;
  reject(e: unknown): void;
}

interface ItemRow {
  seq: number;
  id: string;
  payload: string;
  lane: Lane;
  enqueued_at: number;
  attempts: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS serial_seen (ns TEXT NOT NULL, id TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (ns, id)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS serial_seen_expiry ON serial_seen (expires_at);
  CREATE TABLE IF NOT EXISTS serial_items (seq INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, lane INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
  CREATE INDEX IF NOT EXISTS serial_items_fifo ON serial_items (ns, queue, key, seq);
  CREATE TABLE IF NOT EXISTS serial_keys (ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, lane INTEGER NOT NULL, ready_at INTEGER NOT NULL, head_at INTEGER NOT NULL, token TEXT, lease_until INTEGER, PRIMARY KEY (ns, queue, key)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS serial_keys_ready ON serial_keys (ns, queue, lane, ready_at);
  CREATE TABLE IF NOT EXISTS serial_dead (ns TEXT NOT NULL, queue TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, payload TEXT, attempts INTEGER NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS serial_dead_by_queue ON serial_dead (ns, queue, at);
`;

/** the log's statements, prepared once per connection */
function prepareStatements(db: Db) {
  return {
    see: db.prepare<[string, string, number, number]>(
      `INSERT INTO serial_seen (ns, id, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(ns, id) DO UPDATE SET expires_at = excluded.expires_at WHERE serial_seen.expires_at <= ?`,
    ),
    seen: db.prepare<[string, string, number], { id: string }>('SELECT id FROM serial_seen WHERE ns = ? AND id = ? AND expires_at > ?'),
    insert: db.prepare<[string, string, string, string, string, number, number]>(
      'INSERT INTO serial_items (ns, queue, key, id, payload, lane, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    // a new key is ready now; an existing one keeps its place (and its lease)
    touchKey: db.prepare<[string, string, string, number, number, number]>(
      'INSERT INTO serial_keys (ns, queue, key, lane, ready_at, head_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(ns, queue, key) DO NOTHING',
    ),
    ready: db.prepare<[string, string, number, number, number], { key: string }>(
      `SELECT key FROM serial_keys WHERE ns = ? AND queue = ? AND ready_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY lane, ready_at LIMIT ?`,
    ),
    lease: db.prepare<[string, number, string, string, string]>('UPDATE serial_keys SET token = ?, lease_until = ? WHERE ns = ? AND queue = ? AND key = ?'),
    head: db.prepare<[string, string, string], ItemRow>(
      'SELECT seq, id, payload, lane, enqueued_at, attempts FROM serial_items WHERE ns = ? AND queue = ? AND key = ? ORDER BY seq LIMIT 1',
    ),
    // a lease past its time is still ours until another worker claims the key (which changes the token)
    holds: db.prepare<[string, string, string, string], { key: string }>('SELECT key FROM serial_keys WHERE ns = ? AND queue = ? AND key = ? AND token = ?'),
    dropItem: db.prepare<[number]>('DELETE FROM serial_items WHERE seq = ?'),
    dropKey: db.prepare<[string, string, string]>('DELETE FROM serial_keys WHERE ns = ? AND queue = ? AND key = ?'),
    nextReady: db.prepare<[number, number, number, string, string, string]>(
      'UPDATE serial_keys SET lane = ?, ready_at = ?, head_at = ?, token = NULL, lease_until = NULL WHERE ns = ? AND queue = ? AND key = ?',
    ),
    failed: db.prepare<[string, number]>('UPDATE serial_items SET attempts = attempts + 1, last_error = ? WHERE seq = ?'),
    delay: db.prepare<[number, string, string, string]>('UPDATE serial_keys SET ready_at = ?, token = NULL, lease_until = NULL WHERE ns = ? AND queue = ? AND key = ?'),
    bury: db.prepare<[string, string, string, string, string | null, number, string, number]>(
      'INSERT INTO serial_dead (ns, queue, key, id, payload, attempts, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    renew: db.prepare<[number, string, string, string, string]>('UPDATE serial_keys SET lease_until = ? WHERE ns = ? AND queue = ? AND key = ? AND token = ?'),
    depth: db.prepare<[string, string], { n: number; oldest: number | null }>('SELECT count(*) AS n, min(enqueued_at) AS oldest FROM serial_items WHERE ns = ? AND queue = ?'),
    leased: db.prepare<[string, string, number], { n: number }>('SELECT count(*) AS n FROM serial_keys WHERE ns = ? AND queue = ? AND lease_until > ?'),
    deadCount: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM serial_dead WHERE ns = ? AND queue = ?'),
    deadList: db.prepare<[string, string, number], SerialDeadItem>(
      'SELECT queue, key, id, payload, attempts, error, at FROM serial_dead WHERE ns = ? AND queue = ? ORDER BY at DESC LIMIT ?',
    ),
    purgeSeen: db.prepare<[string, number]>('DELETE FROM serial_seen WHERE ns = ? AND expires_at <= ?'),
    purgeDead: db.prepare<[string, number]>('DELETE FROM serial_dead WHERE ns = ? AND at < ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * Group commit: the pushes made during one turn of the event loop (the webhooks read in one poll phase)
 * are written in one transaction at the end of it. Each is still its own de-duplicate + append; a
 * commit costs about as much for one item as for fifty on this file system (page writes to the WAL).
 */
function groupCommitPush(db: Db, q: Statements, ns: string): SerialLog['push'] {
  const pushOne = (queue: string, item: SerialItemInput, ttl: number, now: number): boolean => {
    if (q.see.run(ns, item.id, now + ttl, now).changes === 0) return false;
    q.insert.run(ns, queue, item.key, item.id, item.payload, item.lane, now);
    q.touchKey.run(ns, queue, item.key, item.lane, now, now);
    return true;
  };
  const pushAll = db.transaction((batch: PendingPush[], now: number): boolean[] => batch.map((p) => pushOne(p.queue, p.item, p.ttl, now)));
  let pending: PendingPush[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    let results: boolean[];
    try {
      results = pushAll(batch, Date.now());
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  };
  return (queue: string, item: SerialItemInput, ttl: number): Promise<boolean> =>
    new Promise((resolve, reject) => {
      if (pending.push({ queue, item, ttl, resolve, reject }) === 1) setImmediate(flush);
    });
}

/** claim, complete, retry and bury: each one transaction, taking `now` from the caller */
function leaseTransactions(db: Db, q: Statements, ns: string) {
  /** the head moved on: the key is ready for its next item, or gone when there is none */
  const advance = (queue: string, key: string, now: number) => {
    const next = q.head.get(ns, queue, key);
    if (next) q.nextReady.run(next.lane, now, next.enqueued_at, ns, queue, key);
    else q.dropKey.run(ns, queue, key);
  };
  const holds = (h: SerialHead) => q.holds.get(ns, h.queue, h.key, h.token) !== undefined;
  const claim = db.transaction((queue: string, max: number, leaseMs: number, now: number): SerialHead[] => {
    const out: SerialHead[] = [];
    for (const { key } of q.ready.all(ns, queue, now, now, max)) {
      const head = q.head.get(ns, queue, key);
      if (!head) {
        q.dropKey.run(ns, queue, key);
        continue;
      }
      const token = randomUUID();
      q.lease.run(token, now + leaseMs, ns, queue, key);
      out.push({ queue, key, id: head.id, payload: head.payload, lane: head.lane, enqueuedAt: head.enqueued_at, attempts: head.attempts, token });
    }
    return out;
  });
  const complete = db.transaction((h: SerialHead, now: number): boolean => {
    if (!holds(h)) return false;
    const head = q.head.get(ns, h.queue, h.key);
    if (head?.id === h.id) q.dropItem.run(head.seq);
    advance(h.queue, h.key, now);
    return true;
  });
  const retry = db.transaction((h: SerialHead, delayMs: number, error: string, now: number): boolean => {
    if (!holds(h)) return false;
    const head = q.head.get(ns, h.queue, h.key);
    if (head?.id === h.id) q.failed.run(error, head.seq);
    q.delay.run(now + delayMs, ns, h.queue, h.key);
    return true;
  });
  const bury = db.transaction((h: SerialHead, error: string, keepPayload: boolean, now: number): boolean => {
    if (!holds(h)) return false;
    const head = q.head.get(ns, h.queue, h.key);
    if (head?.id === h.id) {
      q.bury.run(ns, h.queue, h.key, h.id, keepPayload ? head.payload : null, head.attempts + 1, error, now);
      q.dropItem.run(head.seq);
    }
    advance(h.queue, h.key, now);
    return true;
  });

  return { claim, complete, retry, bury };
}

/**
 * The serial log as four tables of the store's SQLite file. Each method is one `db.transaction`, and
 * SQLite serializes writers on the file, so the log stays correct with several connections (processes)
 * on one file. `ns` keeps tests' namespaces apart, as the other tables' key prefixes do.
 */
export function sqliteSerialLog(db: Db, ns: string): SerialLog {
  db.exec(SCHEMA);
  const q = prepareStatements(db);
  const { claim, complete, retry, bury } = leaseTransactions(db, q, ns);
  return {
    push: groupCommitPush(db, q, ns),
    claim: async (queue, max, leaseMs) => claim(queue, max, leaseMs, Date.now()),
    complete: async (h) => complete(h, Date.now()),
    retry: async (h, delayMs, error) => retry(h, delayMs, error, Date.now()),
    bury: async (h, error, keepPayload) => bury(h, error, keepPayload, Date.now()),
    renew: async (h, leaseMs) => {
      return q.renew.run(Date.now() + leaseMs, ns, h.queue, h.key, h.token).changes === 1;
    },
    async stats(queue): Promise<SerialStats> {
      const d = q.depth.get(ns, queue)!;
      return { depth: d.n, ...(d.oldest !== null ? { oldestAt: d.oldest } : {}), leased: q.leased.get(ns, queue, Date.now())!.n, dead: q.deadCount.get(ns, queue)!.n };
    },
    seen: async (id) => q.seen.get(ns, id, Date.now()) !== undefined,
    dead: async (queue, limit = 100) => q.deadList.all(ns, queue, limit),
    purge: async (deadBefore) => q.purgeSeen.run(ns, Date.now()).changes + q.purgeDead.run(ns, deadBefore).changes,
  };
}
