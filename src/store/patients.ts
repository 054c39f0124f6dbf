import { randomUUID } from 'node:crypto';
import type { Patient, PatientLink } from '../core/domain.js';
import { StoreError } from './errors.js';
import type { Indexes, KeyValue, Locks, PatientRepo } from './types.js';

/**
 * Key layout (all under the backend's namespace):
 *  kv     patient:<f>:<id>                the record
 *  kv     patient-merged:<f>:<id>         id of the patient a merged one went into
 *  claim  patient-pid:<f>:<providerId>    unique: a permanent or temporary provider id → patient id
 *  zset   patient-phone:<f>:<e164>        patients whose bookings carry that phone (many: a household)
 *  zset   patients-of:<f>:<contactId>     patients a contact is linked to (claimed or verified)
 *  zset   patients:<f>                    every patient of the facility (score: createdAt)
 * Provider ids are claims, so "which patient is P-1" is decided once, atomically, and never moves.
 */
const recordKey = (f: string, id: string) => `patient:${f}:${id}`;
const mergedKey = (f: string, id: string) => `patient-merged:${f}:${id}`;
const pidKey = (f: string, providerId: string) => `patient-pid:${f}:${providerId}`;
const phoneSet = (f: string, e164: string) => `patient-phone:${f}:${e164}`;
const contactSet = (f: string, contactId: string) => `patients-of:${f}:${contactId}`;
const listSet = (f: string) => `patients:${f}`;
const lockKey = (f: string, id: string) => `patient:${f}:${id}`;

export const providerIdsOf = (p: Pick<Patient, 'patientId' | 'temporaryPatientIds'>): string[] =>
  [...new Set([p.patientId, ...(p.temporaryPatientIds ?? [])].filter((x): x is string => !!x))];

const score = (p: Patient) => Date.parse(p.createdAt) || 0;
const without = <T>(list: T[], drop: T[]) => list.filter((x) => !drop.includes(x));

/** a link keeps its first relationship and consent; verified wins over claimed */
export function mergeLink(current: PatientLink | undefined, next: PatientLink): PatientLink {
  if (!current) return next;
  const upgraded = next.verified && !current.verified;
  return {
    ...current,
    verified: current.verified || next.verified,
    ...(upgraded ? { how: next.how, since: next.since } : {}),
    ...(current.consentAt || !next.consentAt ? {} : { consentAt: next.consentAt }),
    ...(current.relationship === 'other' && next.relationship !== 'other' ? { relationship: next.relationship } : {}),
  };
}

function withLink(p: Patient, link: PatientLink): Patient {
  const current = p.links.find((l) => l.contactId === link.contactId);
  return { ...p, links: [...p.links.filter((l) => l.contactId !== link.contactId), mergeLink(current, link)] };
}

export class PatientStore implements PatientRepo {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    private readonly locks: Locks,
  ) {}

  async get(facilityId: string, id: string): Promise<Patient | undefined> {
    let current = id;
    for (let hop = 0; hop < 8; hop++) {
      const p = await this.kv.get<Patient>(recordKey(facilityId, current));
      if (p) return p;
      const next = await this.kv.get<string>(mergedKey(facilityId, current));
      if (!next) return undefined;
      current = next;
    }
    return undefined;
  }

  async byProviderId(facilityId: string, providerId: string): Promise<Patient | undefined> {
    const id = await this.indexes.claimedBy(pidKey(facilityId, providerId));
    return id ? this.get(facilityId, id) : undefined;
  }

  byPhone(facilityId: string, e164: string): Promise<Patient[]> {
    return this.membersOf(facilityId, phoneSet(facilityId, e164));
  }

  ofContact(facilityId: string, contactId: string): Promise<Patient[]> {
    return this.membersOf(facilityId, contactSet(facilityId, contactId));
  }

  async list(facilityId: string): Promise<Patient[]> {
    return this.membersOf(facilityId, listSet(facilityId));
  }

  async create(facilityId: string, init: Partial<Patient>): Promise<Patient> {
    const now = new Date().toISOString();
    const draft: Patient = { links: [], ...init, patientId: undefined, temporaryPatientIds: undefined, id: randomUUID(), facilityId, createdAt: now, updatedAt: now };
    await this.kv.set(recordKey(facilityId, draft.id), draft);
    await this.reindex(undefined, draft);
    return draft;
  }

  async ensure(facilityId: string, ids: { patientId?: string; temporaryPatientId?: string }, init: Partial<Patient>): Promise<Patient> {
    const wanted = [ids.patientId, ids.temporaryPatientId].filter((x): x is string => !!x);
    for (const pid of wanted) {
      const found = await this.byProviderId(facilityId, pid);
      if (found) return this.addIds(found, ids);
    }
    if (wanted.length === 0) return this.create(facilityId, init);
    // the first id decides who creates the record; a loser of that race adopts the winner's
    const now = new Date().toISOString();
    const draft: Patient = {
      links: [],
      ...init,
      id: randomUUID(),
      facilityId,
      ...(ids.patientId ? { patientId: ids.patientId } : {}),
      ...(ids.temporaryPatientId ? { temporaryPatientIds: [ids.temporaryPatientId] } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await this.kv.set(recordKey(facilityId, draft.id), draft);
    if (!(await this.indexes.claim(pidKey(facilityId, wanted[0]!), draft.id))) {
      await this.kv.delete(recordKey(facilityId, draft.id));
      const winner = await this.byProviderId(facilityId, wanted[0]!);
      if (!winner) throw new StoreError('claim_stuck', 'patient id is held by a patient that never appeared');
      return this.addIds(winner, ids);
    }
    const { patient } = await this.update(facilityId, draft.id, () => undefined);
    return patient;
  }

  async update(facilityId: string, id: string, fn: (p: Patient) => Patient | void): Promise<{ patient: Patient; conflicts: string[] }> {
    const target = (await this.get(facilityId, id))?.id ?? id;
    return this.locks.withLock(lockKey(facilityId, target), async () => {
      const current = await this.kv.get<Patient>(recordKey(facilityId, target));
      if (!current) throw new StoreError('not_found', 'patient not found');
      const draft = structuredClone(current);
      let next: Patient = { ...(fn(draft) ?? draft), id: target, facilityId, updatedAt: new Date().toISOString() };
      const conflicts = await this.claimIds(next);
      if (conflicts.length) next = dropIds(next, conflicts);
      await this.kv.set(recordKey(facilityId, target), next);
      await this.reindex(current, next);
      return { patient: next, conflicts };
    });
  }

  async link(facilityId: string, id: string, link: PatientLink): Promise<Patient> {
    return (await this.update(facilityId, id, (p) => withLink(p, link))).patient;
  }

  async merge(facilityId: string, intoId: string, fromId: string): Promise<Patient> {
    if (intoId === fromId) return (await this.get(facilityId, intoId))!;
    const [first, second] = [intoId, fromId].sort();
    return this.locks.withLock(lockKey(facilityId, first!), () =>
      this.locks.withLock(lockKey(facilityId, second!), async () => {
        const into = await this.kv.get<Patient>(recordKey(facilityId, intoId));
        const from = await this.kv.get<Patient>(recordKey(facilityId, fromId));
        if (!into || !from) throw new StoreError('not_found', 'patient to merge not found');
        let merged: Patient = { ...from, ...into, updatedAt: new Date().toISOString() };
        merged.temporaryPatientIds = without([...new Set([...(into.temporaryPatientIds ?? []), ...providerIdsOf(from)])], merged.patientId ? [merged.patientId] : []);
        merged.phones = [...new Set([...(into.phones ?? []), ...(from.phones ?? [])])];
        merged.links = into.links;
        for (const l of from.links) merged = withLink(merged, l);
        await this.kv.set(mergedKey(facilityId, fromId), intoId);
        await this.kv.delete(recordKey(facilityId, fromId));
        await this.removeFromIndexes(from);
        // the ids `from` held are now `into`'s: the claims move with the hospital's word
        for (const pid of providerIdsOf(from)) {
          await this.indexes.release(pidKey(facilityId, pid), fromId);
          await this.indexes.claim(pidKey(facilityId, pid), intoId);
        }
        await this.kv.set(recordKey(facilityId, intoId), merged);
        await this.reindex(into, merged);
        return merged;
      }),
    );
  }

  async moveLinks(facilityId: string, from: string, to: string): Promise<void> {
    for (const p of await this.ofContact(facilityId, from)) {
      await this.update(facilityId, p.id, (cur) => {
        const old = cur.links.find((l) => l.contactId === from);
        const rest = { ...cur, links: cur.links.filter((l) => l.contactId !== from) };
        return old ? withLink(rest, { ...old, contactId: to }) : rest;
      });
    }
  }

  async delete(facilityId: string, id: string): Promise<void> {
    const p = await this.kv.get<Patient>(recordKey(facilityId, id));
    if (!p) return;
    await this.locks.withLock(lockKey(facilityId, id), async () => {
      await this.kv.delete(recordKey(facilityId, id));
      await this.removeFromIndexes(p);
      for (const pid of providerIdsOf(p)) await this.indexes.release(pidKey(facilityId, pid), id);
    });
  }

  private async addIds(p: Patient, ids: { patientId?: string; temporaryPatientId?: string }): Promise<Patient> {
    const needs = (ids.patientId && !p.patientId) || (ids.temporaryPatientId && !providerIdsOf(p).includes(ids.temporaryPatientId));
    if (!needs) return p;
    const { patient } = await this.update(p.facilityId, p.id, (cur) => {
      if (ids.patientId && !cur.patientId) cur.patientId = ids.patientId;
      if (ids.temporaryPatientId && !providerIdsOf(cur).includes(ids.temporaryPatientId)) {
        cur.temporaryPatientIds = [...(cur.temporaryPatientIds ?? []), ids.temporaryPatientId];
      }
    });
    return patient;
  }

  /** claims every provider id of `p`; returns the ones another patient holds */
  private async claimIds(p: Patient): Promise<string[]> {
    const conflicts: string[] = [];
    for (const pid of providerIdsOf(p)) {
      const key = pidKey(p.facilityId, pid);
      if (await this.indexes.claim(key, p.id)) continue;
      const holder = await this.indexes.claimedBy(key);
      if (holder === p.id) continue;
      if (holder && (await this.kv.get(recordKey(p.facilityId, holder)))) conflicts.push(pid);
      else {
        if (holder) await this.indexes.release(key, holder);
        if (!(await this.indexes.claim(key, p.id))) conflicts.push(pid);
      }
    }
    return conflicts;
  }

  private async membersOf(facilityId: string, set: string): Promise<Patient[]> {
    const out: Patient[] = [];
    for (const id of await this.indexes.members(set)) {
      const p = await this.kv.get<Patient>(recordKey(facilityId, id));
      if (p) out.push(p);
    }
    return out;
  }

  private sets(p: Patient): string[] {
    const f = p.facilityId;
    return [listSet(f), ...(p.phones ?? []).map((ph) => phoneSet(f, ph)), ...p.links.map((l) => contactSet(f, l.contactId))];
  }

  private async reindex(prev: Patient | undefined, next: Patient): Promise<void> {
    const keep = this.sets(next);
    if (prev) {
      for (const set of this.sets(prev)) if (!keep.includes(set)) await this.indexes.remove(set, prev.id);
      for (const pid of providerIdsOf(prev)) if (!providerIdsOf(next).includes(pid)) await this.indexes.release(pidKey(prev.facilityId, pid), prev.id);
    }
    for (const set of keep) await this.indexes.add(set, next.id, score(next));
  }

  private async removeFromIndexes(p: Patient): Promise<void> {
    for (const set of this.sets(p)) await this.indexes.remove(set, p.id);
  }
}

function dropIds(p: Patient, drop: string[]): Patient {
  const next = { ...p };
  if (next.patientId && drop.includes(next.patientId)) delete next.patientId;
  if (next.temporaryPatientIds) next.temporaryPatientIds = without(next.temporaryPatientIds, drop);
  return next;
}
