import type { Appointment } from '../core/domain.js';
import type { AppointmentRepo, Indexes, KeyValue, Locks } from './types.js';

/**
 * Key layout (all under the backend's namespace):
 *  kv    appt:<f>:<id>               the record
 *  kv    appt-alias:<f>:<oldId>      the id an appointment took after a reschedule changed it
 *  zset  appt-day:<f>:<YYYY-MM-DD>   ids starting that facility-local day (score: start, epoch ms)
 *  zset  appt-contact:<f>:<contact>  ids of a contact's appointments (score: start)
 *  zset  appt-pid:<f>:<patientId>    ids by permanent or temporary patient id (score: start)
 *
 * The facility-local day is the date part of `start` as written: the provider gives `start` as an
 * ISO timestamp with the facility's own offset (e.g. 2025-03-04T09:00:00+08:00), and Appointment
 * carries no timezone, so `start.slice(0, 10)` is the day in the facility's zone. A `start` in UTC
 * ("…Z") would file a late-evening appointment under the UTC date.
 */
const recordKey = (f: string, id: string) => `appt:${f}:${id}`;
const aliasKey = (f: string, id: string) => `appt-alias:${f}:${id}`;
const daySet = (f: string, day: string) => `appt-day:${f}:${day}`;
const contactSet = (f: string, contactId: string) => `appt-contact:${f}:${contactId}`;
const patientSet = (f: string, patientId: string) => `appt-pid:${f}:${patientId}`;

export const facilityDay = (start: string): string => start.slice(0, 10);
export const lockKey = (facilityId: string, appointmentId: string) => `appt:${facilityId}:${appointmentId}`;

function indexSets(a: Appointment): string[] {
  const f = a.facilityId;
  const sets = [daySet(f, facilityDay(a.start))];
  if (a.contactId) sets.push(contactSet(f, a.contactId));
  for (const pid of new Set([a.patientId, a.temporaryPatientId])) if (pid) sets.push(patientSet(f, pid));
  return sets;
}

const byStart = (a: Appointment, b: Appointment) => (Date.parse(a.start) || 0) - (Date.parse(b.start) || 0);

export class AppointmentStore implements AppointmentRepo {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    private readonly locks: Locks,
  ) {}

  get(facilityId: string, appointmentId: string): Promise<Appointment | undefined> {
    return this.kv.get<Appointment>(recordKey(facilityId, appointmentId));
  }

  async upsert(
    facilityId: string,
    appointmentId: string,
    fn: (current: Appointment | undefined) => Appointment | undefined,
  ): Promise<Appointment | undefined> {
    return this.locks.withLock(lockKey(facilityId, appointmentId), async () => {
      const current = await this.get(facilityId, appointmentId);
      const next = fn(current ? structuredClone(current) : undefined);
      if (next === undefined) return current;
      const record: Appointment = { ...next, facilityId };
      if (record.appointmentId === appointmentId) return this.write(current, record);
      // a reschedule answered with a new id: the record moves, the old id stays as an alias
      record.previousIds = [...new Set([...(record.previousIds ?? []), appointmentId])].filter((id) => id !== record.appointmentId);
      return this.locks.withLock(lockKey(facilityId, record.appointmentId), async () => {
        // the new id may already be mirrored (its webhook came first): its entries make way for ours
        const already = await this.get(facilityId, record.appointmentId);
        if (already) {
          record.previousIds = [...new Set([...(already.previousIds ?? []), ...record.previousIds!])];
          for (const set of indexSets(already)) await this.indexes.remove(set, already.appointmentId);
        }
        const written = await this.write(current, record);
        await this.kv.delete(recordKey(facilityId, appointmentId));
        return written;
      });
    });
  }

  async byDay(facilityId: string, day: string): Promise<Appointment[]> {
    const found = await this.load(facilityId, daySet(facilityId, day));
    return found.filter((a) => facilityDay(a.start) === day);
  }

  async byContact(facilityId: string, contactId: string): Promise<Appointment[]> {
    return (await this.load(facilityId, contactSet(facilityId, contactId))).filter((a) => a.contactId === contactId);
  }

  async byPatientId(facilityId: string, patientId: string): Promise<Appointment[]> {
    return (await this.load(facilityId, patientSet(facilityId, patientId))).filter(
      (a) => a.patientId === patientId || a.temporaryPatientId === patientId,
    );
  }

  async resolveId(facilityId: string, appointmentId: string): Promise<string | undefined> {
    let current = appointmentId;
    for (let hop = 0; hop < 16; hop++) {
      if (await this.get(facilityId, current)) return current;
      const next = await this.kv.get<string>(aliasKey(facilityId, current));
      if (!next || next === current) return undefined;
      current = next;
    }
    return undefined;
  }

  /** writes `next` (possibly under a new id) and moves its index entries from `prev` */
  private async write(prev: Appointment | undefined, next: Appointment): Promise<Appointment> {
    const f = next.facilityId;
    await this.kv.set(recordKey(f, next.appointmentId), next);
    const nextSets = indexSets(next);
    if (prev) {
      const sameId = prev.appointmentId === next.appointmentId;
      for (const set of indexSets(prev)) {
        if (!sameId || !nextSets.includes(set)) await this.indexes.remove(set, prev.appointmentId);
      }
    }
    const startMs = Date.parse(next.start) || 0;
    for (const set of nextSets) await this.indexes.add(set, next.appointmentId, startMs);
    for (const old of next.previousIds ?? []) {
      if (old !== next.appointmentId) await this.kv.set(aliasKey(f, old), next.appointmentId);
    }
    return next;
  }

  private async load(facilityId: string, set: string): Promise<Appointment[]> {
    const out: Appointment[] = [];
    for (const id of await this.indexes.members(set)) {
      const a = await this.get(facilityId, id);
      if (a) out.push(a);
    }
    return out.sort(byStart);
  }
}
