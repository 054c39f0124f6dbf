import type { Appointment, Contact, Patient } from '../core/domain.js';
import type { Logger } from '../log.js';
import { recordAudit, type AuditEntry } from './audit.js';
import { canScan, type ScanningBackend } from './backends/namespaced.js';
import { eraseContact } from './erasure.js';
import { upgradeContact } from './migrations/contact-channels.js';
import { DAY_MS, DEFAULT_RETENTION, JOB_RECORD_TTL_MS, K, PREFIX, type JobRecordLike, type RetentionPeriods } from './keys.js';
import { providerIdsOf } from './patients.js';
import type { ConversationRecord, Indexes, KeyValue, Store } from './types.js';

/**
 * The retention sweeper: deletes what has outlived its period (src/store/keys.ts lists every family and
 * its period; the periods are `retention` in the config). It runs the same on every backend: it walks the
 * store with ScanningBackend, decides by the timestamps inside the values, and deletes through the same
 * primitives the repositories use. `sweep(store, now)` is one pass (tests call it with their own clock);
 * `startRetention` runs it periodically, one instance at a time (a claim).
 */

export interface SweepReport {
  expired: number;
  conversations: number;
  turnRecords: number;
  inbox: number;
  sendRecords: number;
  jobPayloads: number;
  batches: number;
  broadcasts: number;
  appointments: number;
  contacts: number;
  patients: number;
  audit: number;
  indexEntries: number;
  /** expired ledger ids and dead letters of the serial queue */
  queue: number;
}

const emptyReport = (): SweepReport => ({
  expired: 0,
  conversations: 0,
  turnRecords: 0,
  inbox: 0,
  sendRecords: 0,
  jobPayloads: 0,
  batches: 0,
  broadcasts: 0,
  appointments: 0,
  contacts: 0,
  patients: 0,
  audit: 0,
  indexEntries: 0,
  queue: 0,
});

const FINAL_JOB = ['done', 'failed', 'canceled'];
const MIN = -Number.MAX_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;
const SWEEP_CLAIM = 'retention-sweep';

const time = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};
const latest = (...ts: (number | undefined)[]): number => Math.max(0, ...ts.filter((t): t is number => t !== undefined));


interface BroadcastLike {
  id: string;
  createdAt?: string;
  request?: { facilityId?: string };
}

interface AuditLike {
  id: string;
  facilityId: string;
  at: string;
}

/** one pass of the sweeper: the store walked, the clock every age is measured against, and the counts so far */
interface Sweep {
  store: Store;
  scan: ScanningBackend;
  kv: KeyValue;
  indexes: Indexes;
  nowMs: number;
  r: SweepReport;
}

/** each kv value under `prefix`, handed to `fn` (deleted when it answers true); returns how many were deleted */
async function deleteEach<T>(s: Sweep, prefix: string, fn: (value: T, key: string) => boolean | Promise<boolean>): Promise<number> {
  let n = 0;
  for await (const key of s.scan.scanKeys(prefix)) {
    const value = await s.kv.get<T>(key);
    if (value === undefined) continue;
    if (await fn(value, key)) {
      if (await s.kv.delete(key)) n += 1;
    }
  }
  return n;
}

/** one pass; `now` decides every age (the values' own timestamps against it) */
export async function sweep(store: Store, now: Date | number = Date.now(), periods: Partial<RetentionPeriods> = {}, logger?: Logger): Promise<SweepReport> {
  const backend = store.backend;
  if (!canScan(backend)) throw new Error('this store backend cannot be walked; retention needs sqlite, redis or postgres');
  const p = { ...DEFAULT_RETENTION, ...periods };
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const before = (days: number) => nowMs - days * DAY_MS;
  const s: Sweep = { store, scan: backend, kv: backend.kv, indexes: backend.indexes, nowMs, r: emptyReport() };
  const r = s.r;

  r.expired = await s.scan.purgeExpired();
  // the serial queue: ledger ids past queue.dedupeDays (their own expiry), dead letters past deadLettersDays
  r.queue = await store.serial.purge(before(p.deadLettersDays));
  await sweepConversationsAndTurns(s, before(p.conversationsDays), before(p.turnRecordsDays));
  await sweepInbox(s, before(p.inboxDays));
  await sweepSendRecords(s, before(p.sendRecordsDays));
  await sweepFinishedJobs(s, before(p.finishedJobsDays));
  await sweepAppointments(s, before(p.appointmentsDays));
  // inactive contacts: erased (as a staff erasure would); then patients nobody is linked to
  const contactCut = before(p.inactiveContactsDays);
  const erased = await eraseInactiveContacts(s, contactCut);
  await deleteUnlinkedPatients(s, contactCut);
  await sweepAttentionIndex(s);
  await sweepTicketIndex(s);
  // the audit log itself
  const auditCut = before(p.auditDays);
  r.audit = await deleteEach<AuditLike>(s, PREFIX.auditEntry, async (e) => {
    if (latest(time(e.at)) >= auditCut) return false;
    await s.indexes.remove(K.audit(e.facilityId), e.id);
    return true;
  });

  for (const [facilityId, contactIds] of erased) {
    await recordAudit(store, { actor: 'retention', action: 'contact.erase-inactive', facilityId, targets: { contactIds }, counts: { contacts: contactIds.length }, at: new Date(nowMs) });
  }
  logger?.info({ ...r }, 'retention sweep done');
  return r;
}

/** conversations after their last activity; turn records and refresh marks */
async function sweepConversationsAndTurns(s: Sweep, convCut: number, turnCut: number): Promise<void> {
  s.r.conversations = await deleteEach<ConversationRecord>(s, PREFIX.conv, (c) => latest(time(c.updatedAt)) < convCut);
  s.r.turnRecords = await deleteEach<{ at?: string }>(s, PREFIX.turn, (t) => latest(time(t.at)) < turnCut);
  s.r.turnRecords += await deleteEach<number>(s, PREFIX.mirrorRefreshed, (t) => typeof t !== 'number' || t < turnCut);
}

/** inbox leftovers (a message that never got its turn) */
async function sweepInbox(s: Sweep, inboxCut: number): Promise<void> {
  const { kv, indexes, r } = s;
  for await (const set of s.scan.scanSets(PREFIX.inboxQueue)) {
    const f = set.split(':')[2];
    for (const { member, score } of await indexes.range(set, MIN, MAX)) {
      // scores are arrival ms × 1000 (src/engine/inbox.ts)
      if (score / 1000 >= inboxCut) continue;
      await indexes.remove(set, member);
      if (f && (await kv.delete(K.inboxItem(f, member)))) r.inbox += 1;
    }
  }
  r.inbox += await deleteEach<{ msg?: { sentAt?: string } }>(s, PREFIX.inboxItem, (e) => latest(time(e.msg?.sentAt)) < inboxCut);
  for (const member of await indexes.members(K.inboxPending)) {
    try {
      const [f, contactId] = JSON.parse(member) as [string, string];
      if ((await indexes.range(K.inboxQueue(f, contactId), MIN, MAX, 1)).length === 0) {
        await indexes.remove(K.inboxPending, member);
        r.indexEntries += 1;
      }
    } catch {
      // not ours
    }
  }
}

/** send records and what points at them; broadcasts */
async function sweepSendRecords(s: Sweep, sendCut: number): Promise<void> {
  const { kv, indexes, r } = s;
  r.sendRecords = await deleteEach<{ id: string; facilityId: string; createdAt?: string; updatedAt?: string }>(s, PREFIX.sendRecord, async (rec) => {
    if (latest(time(rec.updatedAt), time(rec.createdAt)) >= sendCut) return false;
    await indexes.remove(K.undeliverable(rec.facilityId), rec.id);
    return true;
  });
  await deleteEach<string>(s, PREFIX.pmid, async (id) => (await kv.get(K.sendRecord(id))) === undefined);
  for await (const set of s.scan.scanSets(PREFIX.undeliverable)) {
    for (const member of await indexes.members(set)) {
      if ((await kv.get(K.sendRecord(member))) === undefined) {
        await indexes.remove(set, member);
        r.indexEntries += 1;
      }
    }
  }
  r.broadcasts = await deleteEach<BroadcastLike>(s, PREFIX.broadcast, async (b) => {
    if (latest(time(b.createdAt)) >= sendCut) return false;
    if (b.request?.facilityId) await indexes.remove(K.broadcasts(b.request.facilityId), b.id);
    await indexes.release(K.broadcastClaim(b.id), b.id);
    return true;
  });
  await sweepBroadcastHistory(s);
}

/** history entries whose broadcast is gone (deleted by an older sweeper, or the record never written) */
async function sweepBroadcastHistory(s: Sweep): Promise<void> {
  for await (const set of s.scan.scanSets(PREFIX.broadcasts)) {
    for (const member of await s.indexes.members(set)) {
      if ((await s.kv.get(K.broadcast(member))) === undefined) {
        await s.indexes.remove(set, member);
        s.r.indexEntries += 1;
      }
    }
  }
}

/** finished jobs' payloads, then the batches and order entries they left behind */
async function sweepFinishedJobs(s: Sweep, jobCut: number): Promise<void> {
  const { kv, indexes, r, nowMs } = s;
  // the payload goes (the record stays until its TTL, so its id still dedupes)
  for await (const key of s.scan.scanKeys(PREFIX.job)) {
    const job = await kv.get<JobRecordLike>(key);
    if (!job || !FINAL_JOB.includes(job.state) || job.redacted || (job.updatedAt ?? 0) >= jobCut) continue;
    const ttl = Math.max(60_000, (job.updatedAt ?? nowMs) + JOB_RECORD_TTL_MS - nowMs);
    await kv.set(key, { ...job, payload: null, redacted: true }, ttl);
    r.jobPayloads += 1;
  }
  // batches (a turn's rendered replies) left behind: their age is their first message's send record's,
  // written before the batch (a batch whose record is gone is older than any record)
  r.batches = await deleteEach<{ id?: string }[]>(s, PREFIX.batch, async (msgs) => {
    const first = Array.isArray(msgs) ? msgs[0]?.id : undefined;
    const rec = first ? await kv.get<{ createdAt?: string }>(K.sendRecord(first)) : undefined;
    return !rec || latest(time(rec.createdAt)) < jobCut;
  });
  for await (const set of s.scan.scanSets(PREFIX.order)) {
    for (const { member, score } of await indexes.range(set, MIN, MAX)) {
      // scores are enqueue ms × 1000 (src/jobs/outbox.ts)
      if (score / 1000 < jobCut && (await kv.get(K.batch(member))) === undefined) {
        await indexes.remove(set, member);
        r.indexEntries += 1;
      }
    }
  }
}

/** the appointment mirror, after the appointment's start */
async function sweepAppointments(s: Sweep, apptCut: number): Promise<void> {
  const { kv, indexes, r } = s;
  for await (const key of s.scan.scanKeys(PREFIX.appt)) {
    const a = await kv.get<Appointment>(key);
    if (!a?.appointmentId || !a.facilityId || latest(time(a.end), time(a.start)) >= apptCut) continue;
    await s.store.locks.withLock(`appt:${a.facilityId}:${a.appointmentId}`, async () => {
      const f = a.facilityId;
      await indexes.remove(K.apptDay(f, a.start.slice(0, 10)), a.appointmentId);
      if (a.contactId) await indexes.remove(K.apptContact(f, a.contactId), a.appointmentId);
      for (const pid of new Set([a.patientId, a.temporaryPatientId])) if (pid) await indexes.remove(K.apptPid(f, pid), a.appointmentId);
      for (const old of a.previousIds ?? []) await kv.delete(K.apptAlias(f, old));
      if (await kv.delete(key)) r.appointments += 1;
    });
  }
}

/** contacts with no sign of life since `contactCut`, erased; returns the ids erased per facility */
async function eraseInactiveContacts(s: Sweep, contactCut: number): Promise<Map<string, string[]>> {
  const erased = new Map<string, string[]>();
  for await (const key of s.scan.scanKeys(PREFIX.contact)) {
    const raw = await s.kv.get<Contact>(key);
    const c = raw ? upgradeContact(raw) : undefined;
    if (!c?.id || !c.facilityId) continue;
    if ((await lastActivity(s.store, c)) >= contactCut) continue;
    const done = await eraseContact(s.store, c.facilityId, c.id, new Date(s.nowMs));
    if (!done) continue;
    s.r.contacts += 1;
    erased.set(c.facilityId, [...(erased.get(c.facilityId) ?? []), c.id]);
  }
  return erased;
}

/** patients linked to no contact, unchanged since `contactCut` and with no appointment since */
async function deleteUnlinkedPatients(s: Sweep, contactCut: number): Promise<void> {
  const { store } = s;
  for await (const key of s.scan.scanKeys(PREFIX.patient)) {
    const pt = await s.kv.get<Patient>(key);
    if (!pt?.id || !pt.facilityId || pt.links?.length) continue;
    if (latest(time(pt.updatedAt), time(pt.createdAt)) >= contactCut) continue;
    let recent = false;
    for (const pid of providerIdsOf(pt)) {
      for (const a of await store.appointments.byPatientId(pt.facilityId, pid)) if (latest(time(a.start)) >= contactCut) recent = true;
    }
    if (recent) continue;
    await store.patients.delete(pt.facilityId, pt.id);
    s.r.patients += 1;
  }
}

/** ticket index entries whose ticket expired */
async function sweepTicketIndex(s: Sweep): Promise<void> {
  for await (const set of s.scan.scanSets(PREFIX.tickets)) {
    const f = set.split(':')[1];
    if (!f || set.split(':').length !== 2) continue;
    for (const member of await s.indexes.members(set)) {
      if ((await s.kv.get(K.ticket(f, member))) === undefined) {
        await s.indexes.remove(set, member);
        s.r.indexEntries += 1;
      }
    }
  }
}

/** attention index entries whose item expired */
async function sweepAttentionIndex(s: Sweep): Promise<void> {
  const { kv, indexes } = s;
  for await (const set of s.scan.scanSets(PREFIX.attention)) {
    const f = set.split(':')[1];
    if (!f || set.split(':').length !== 2) continue;
    for (const member of await indexes.members(set)) {
      if ((await kv.get(K.attentionItem(f, member))) === undefined) {
        await indexes.remove(set, member);
        s.r.indexEntries += 1;
      }
    }
  }
}

/** the latest sign of life of a contact: its record, its channels, its conversation, its appointments */
async function lastActivity(store: Store, c: Contact): Promise<number> {
  const conv = await store.conversations.get(c.facilityId, c.id);
  let t = latest(
    time(c.updatedAt),
    time(c.createdAt),
    ...Object.values(c.channels ?? {}).map((st) => time(st?.lastInboundAt)),
    time(c.phoneVerifiedAt),
    time(conv?.updatedAt),
  );
  for (const a of await store.appointments.byContact(c.facilityId, c.id)) t = latest(t, time(a.start));
  return t;
}

export interface RetentionRunner {
  /** one pass now (unless another instance is sweeping) */
  runOnce(): Promise<SweepReport | undefined>;
  stop(): Promise<void>;
}

/**
 * Sweeps every `everyMs` (first pass after `firstAfterMs`). Several instances on one store take turns:
 * a pass runs only for the holder of the `retention-sweep` claim.
 */
export function startRetention(opts: { store: Store; periods: Partial<RetentionPeriods>; everyMs: number; firstAfterMs?: number; now?: () => Date; logger?: Logger; owner: string }): RetentionRunner {
  const { store, logger } = opts;
  let running: Promise<SweepReport | undefined> | undefined;
  let stopped = false;
  const runOnce = async () => {
    if (stopped) return undefined;
    if (running) return running;
    running = (async () => {
      const claimTtl = Math.max(60_000, Math.min(opts.everyMs, 30 * 60_000));
      if (!(await store.backend.indexes.claim(SWEEP_CLAIM, opts.owner, claimTtl))) return undefined;
      try {
        return await sweep(store, opts.now?.() ?? new Date(), opts.periods, logger);
      } finally {
        await store.backend.indexes.release(SWEEP_CLAIM, opts.owner).catch(() => false);
      }
    })()
      .catch((e: unknown) => {
        logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'retention sweep failed');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const first = setTimeout(() => void runOnce(), opts.firstAfterMs ?? 60_000);
  const timer = setInterval(() => void runOnce(), opts.everyMs);
  first.unref();
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

/** the facility a broadcast belongs to (staff scopes), without knowing its record's shape beyond that */
export async function broadcastFacility(store: Store, id: string): Promise<string | undefined> {
  const rec = await store.backend.kv.get<{ request?: { facilityId?: string } }>(K.broadcast(id));
  return rec?.request?.facilityId;
}

export type { AuditEntry };
