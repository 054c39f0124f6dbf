import { randomBytes } from 'node:crypto';
import { K } from './keys.js';
import type { Store } from './types.js';

/**
 * The staff audit log: who (a staff token's name, or `retention` for the sweeper) did what, when, to
 * which facility and which ids. It never holds a patient's details: targets are ids, counts are numbers.
 *
 * Layout: kv `audit-entry:<f>:<id>` (the entry), zset `audit:<f>` (entry ids by time). Kept
 * `retention.auditDays` (the sweeper deletes older ones).
 */
export interface AuditEntry {
  /** time-ordered: `<ms, base36>-<random>` */
  id: string;
  at: string;
  /** the staff token's name (`staff-1`… for `staffTokens`), or the system part that acted */
  actor: string;
  /** e.g. `broadcast.create`, `contact.export`, `contact.erase`, `ticket.claim` */
  action: string;
  facilityId: string;
  /** ids only (contactId, broadcastId, appointmentIds…); never names, phones or message text */
  targets?: Record<string, string | string[]>;
  /** numbers about the action (recipients, records deleted…) */
  counts?: Record<string, number>;
  /** `ok` unless said otherwise (`not_found`, `forbidden`…) */
  outcome?: string;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: string | Date };

const ACTION = /^[a-z][a-z0-9._-]{0,63}$/;
const MAX_TARGET = 200;
const MAX_TARGETS = 1000;

export class AuditError extends Error {}

/** an entry that cannot hold anything but ids and numbers (checked, so a careless caller fails loudly) */
function checked(input: AuditInput): Omit<AuditEntry, 'id' | 'at'> {
  if (!ACTION.test(input.action)) throw new AuditError('audit action must be a short dotted name such as contact.erase');
  if (!input.actor || input.actor.length > 100) throw new AuditError('audit actor must be a name of at most 100 characters');
  if (!input.facilityId) throw new AuditError('audit entry needs a facility');
  const targets: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(input.targets ?? {})) {
    const list = Array.isArray(v) ? v : [v];
    if (list.length > MAX_TARGETS || list.some((x) => typeof x !== 'string' || x.length > MAX_TARGET || /\s/.test(x))) {
      throw new AuditError(`audit target ${k} must be ids (no spaces, at most ${MAX_TARGET} characters each)`);
    }
    targets[k] = Array.isArray(v) ? [...v] : v;
  }
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(input.counts ?? {})) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new AuditError(`audit count ${k} must be a number`);
    counts[k] = v;
  }
  return {
    actor: input.actor,
    action: input.action,
    facilityId: input.facilityId,
    ...(Object.keys(targets).length ? { targets } : {}),
    ...(Object.keys(counts).length ? { counts } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
  };
}

/** Writes one entry (ids and numbers only) and returns it. */
export async function recordAudit(store: Pick<Store, 'backend'>, input: AuditInput): Promise<AuditEntry> {
  const body = checked(input);
  const at = input.at === undefined ? new Date() : new Date(input.at);
  const id = `${at.getTime().toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
  const entry: AuditEntry = { id, at: at.toISOString(), ...body };
  await store.backend.kv.set(K.auditEntry(entry.facilityId, id), entry);
  await store.backend.indexes.add(K.audit(entry.facilityId), id, at.getTime());
  return entry;
}

/** Newest first across `facilityIds`, at most `limit`. */
export async function listAudit(store: Pick<Store, 'backend'>, facilityIds: readonly string[], limit = 100): Promise<AuditEntry[]> {
  const { kv, indexes } = store.backend;
  const rows: { facilityId: string; member: string; score: number }[] = [];
  for (const f of new Set(facilityIds)) {
    for (const r of await indexes.range(K.audit(f), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) rows.push({ facilityId: f, ...r });
  }
  rows.sort((a, b) => b.score - a.score || (a.member < b.member ? 1 : -1));
  const out: AuditEntry[] = [];
  for (const r of rows) {
    if (out.length >= limit) break;
    const e = await kv.get<AuditEntry>(K.auditEntry(r.facilityId, r.member));
    if (e) out.push(e);
  }
  return out;
}
