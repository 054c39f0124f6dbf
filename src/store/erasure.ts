import type { SurveyRecord } from './surveys.js';
import { PHONE_CHANNEL, type Appointment, type Contact, type Patient } from '../core/domain.js';
import { upgradeContact } from './migrations/contact-channels.js';
import { canScan, type ScanningBackend } from './backends/namespaced.js';
import type { LegacyContact } from './migrations/identity.js';
import { JOB_RECORD_TTL_MS, K, PREFIX, type JobRecordLike } from './keys.js';
import { providerIdsOf } from './patients.js';
import type { ConversationRecord, Store, StoreBackend } from './types.js';

/**
 * Privacy operations on one person (a contact) of one facility: everything we hold about them
 * (`exportContact`), and forgetting it (`eraseContact`). The hospital's own records (the provider's) are
 * the hospital's and are not touched; our mirror of its appointments keeps the appointment (staff lists,
 * reminders' bookkeeping) with the patient's details removed.
 *
 * Both walk the store (every backend can: see ScanningBackend) for what is not indexed by contact: send
 * records, queued batches, job payloads, attention items, merged ids.
 */

const FINAL_JOB = ['done', 'failed', 'canceled'];
/** jobs that would still send something to the person: canceled on erasure */
const SEND_JOBS = ['outbox.send', 'outbox.batch'];
const LOCK = { ttlMs: 60_000, waitMs: 60_000 };



interface SendRecordLike {
  id: string;
  facilityId: string;
  contactId?: string;
  status?: string;
  createdAt?: string;
  [k: string]: unknown;
}

interface OutboundLike {
  contactId?: string;
  channel?: string;
  channelUserId?: string;
}

interface AttentionLike {
  id: string;
  facilityId: string;
  contactId?: string;
}

export interface ContactExport {
  exportedAt: string;
  facilityId: string;
  contact: Contact;
  /** older contact ids of this person (merged into this one) */
  mergedIds: string[];
  patients: Patient[];
  appointments: Appointment[];
  conversation: ConversationRecord | null;
  /** the last turn: the replies sent and the changes it made */
  lastTurn: unknown;
  sendRecords: unknown[];
  attention: unknown[];
  /** conversations handed to staff, with their threads */
  tickets: unknown[];
  /** the latest post-visit survey asked, with the score and comment given */
  survey: SurveyRecord | null;
}

export interface ErasureReport {
  contactId: string;
  mergedIds: string[];
  /** our patient records linked to no one else: deleted */
  patientsDeleted: string[];
  /** patient records shared with another contact: this contact's link (and phone) removed */
  patientsUnlinked: string[];
  /** mirror appointments whose patient details and contact were removed */
  appointmentsAnonymized: string[];
  sendRecordsDeleted: number;
  /** job records whose payload mentioned the person: redacted (finished) or canceled (pending sends) */
  jobsRedacted: number;
  keysDeleted: number;
}

const uniq = <T>(xs: (T | undefined | null | false | '')[]): T[] => [...new Set(xs.filter((x): x is T => !!x))];

function scanner(backend: StoreBackend): ScanningBackend | undefined {
  return canScan(backend) ? backend : undefined;
}

/** this person's ids: the contact's and every contact merged into it (pointers `contact-merged:<f>:<old>` → new) */
async function personIds(store: Store, f: string, id: string): Promise<{ ids: Set<string>; mergedKeys: string[] }> {
  const ids = new Set([id]);
  const mergedKeys: string[] = [];
  const scan = scanner(store.backend);
  if (!scan) return { ids, mergedKeys };
  const pointers: [string, string, string][] = [];
  for await (const key of scan.scanKeys(K.contactMergedPrefix(f))) {
    const to = await store.backend.kv.get<string>(key);
    if (to) pointers.push([key, key.slice(K.contactMergedPrefix(f).length), to]);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, from, to] of pointers) {
      if (ids.has(to) && !ids.has(from)) {
        ids.add(from);
        changed = true;
      }
      if (ids.has(to) && !mergedKeys.includes(key)) mergedKeys.push(key);
    }
  }
  return { ids, mergedKeys };
}

/** the phones the person is known by: its own and its SMS address */
const phonesOf = (c: Contact): string[] => uniq([c.phone, c.channels?.[PHONE_CHANNEL]?.userId]);

/** (channel, address) pairs the person is reached at */
const addressesOf = (c: Contact): [string, string][] => Object.entries(c.channels ?? {}).flatMap(([ch, st]) => (st?.userId ? [[ch, st.userId] as [string, string]] : []));

async function patientsOf(store: Store, f: string, ids: Set<string>): Promise<Patient[]> {
  const byId = new Map<string, Patient>();
  for (const id of ids) for (const p of await store.patients.ofContact(f, id)) byId.set(p.id, p);
  return [...byId.values()];
}

async function appointmentsOf(store: Store, f: string, ids: Set<string>, patients: Patient[], phones: string[]): Promise<Appointment[]> {
  const byId = new Map<string, Appointment>();
  for (const id of ids) for (const a of await store.appointments.byContact(f, id)) byId.set(a.appointmentId, a);
  for (const p of patients) for (const pid of providerIdsOf(p)) for (const a of await store.appointments.byPatientId(f, pid)) byId.set(a.appointmentId, a);
  const scan = scanner(store.backend);
  if (scan) {
    // what the indexes do not reach: booked by this contact, or for one of its patients, or carrying its phone
    const refs = new Set(patients.map((p) => p.id));
    for await (const key of scan.scanKeys(`${PREFIX.appt}${f}:`)) {
      const a = await store.backend.kv.get<Appointment>(key);
      if (!a || byId.has(a.appointmentId)) continue;
      if ((a.contactId && ids.has(a.contactId)) || (a.bookedBy && ids.has(a.bookedBy)) || (a.patientRef && refs.has(a.patientRef)) || (a.patient?.phone && phones.includes(a.patient.phone))) {
        byId.set(a.appointmentId, a);
      }
    }
  }
  return [...byId.values()].sort((a, b) => a.start.localeCompare(b.start));
}

/** every kv value under `prefix` that `pick` keeps */
async function collect<T>(backend: StoreBackend, prefix: string, pick: (v: T) => boolean): Promise<{ key: string; value: T }[]> {
  const scan = scanner(backend);
  if (!scan) return [];
  const out: { key: string; value: T }[] = [];
  for await (const key of scan.scanKeys(prefix)) {
    const value = await backend.kv.get<T>(key);
    if (value !== undefined && pick(value)) out.push({ key, value });
  }
  return out;
}

/** Everything held about this person at this facility, as JSON-ready data; undefined when the contact is unknown. */
export async function exportContact(store: Store, facilityId: string, contactId: string, now: Date = new Date()): Promise<ContactExport | undefined> {
  const contact = await store.contacts.get(facilityId, contactId);
  if (!contact) return undefined;
  const f = facilityId;
  const { ids } = await personIds(store, f, contact.id);
  const patients = await patientsOf(store, f, ids);
  const phones = phonesOf(contact);
  const appointments = await appointmentsOf(store, f, ids, patients, phones);
  const conversation = (await store.conversations.get(f, contact.id)) ?? null;
  const lastTurn = (await store.backend.kv.get(K.turn(f, contact.id))) ?? null;
  const sendRecords = (await collect<SendRecordLike>(store.backend, PREFIX.sendRecord, (r) => r.facilityId === f && !!r.contactId && ids.has(r.contactId))).map((r) => r.value);
  const attention = (await collect<AttentionLike>(store.backend, `${PREFIX.attentionItem}${f}:`, (a) => !!a.contactId && ids.has(a.contactId))).map((a) => a.value);
  return {
    exportedAt: now.toISOString(),
    facilityId: f,
    contact,
    mergedIds: [...ids].filter((id) => id !== contact.id),
    patients,
    appointments,
    conversation,
    lastTurn,
    sendRecords: sendRecords.sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? ''))),
    attention,
    tickets: await store.tickets.ofContact(f, ids),
    survey: (await store.surveys.get(f, contact.id)) ?? null,
  };
}

/** an appointment of the mirror without the erased person's details (or, when its patient is someone else, without their contact and phone) */
function anonymized(a: Appointment, ids: Set<string>, deletedPatients: Set<string>, phones: string[]): Appointment {
  const theirs = !a.patientRef || deletedPatients.has(a.patientRef);
  const next: Appointment = { ...a };
  if (theirs) {
    next.patient = { name: '(erased)', phone: '' };
  } else if (phones.includes(a.patient.phone)) {
    next.patient = { ...a.patient, phone: '' };
  }
  if (next.contactId && ids.has(next.contactId)) delete next.contactId;
  if (next.bookedBy && ids.has(next.bookedBy)) delete next.bookedBy;
  if (next.patientRef && deletedPatients.has(next.patientRef)) delete next.patientRef;
  return next;
}

/** what one erasure knows about the person (read once, under the conversation lock) and what it has done */
interface Erasure {
  store: Store;
  f: string;
  /** the contact erased */
  id: string;
  contact: LegacyContact;
  /** its id and the ids merged into it */
  ids: Set<string>;
  /** the `contact-merged:` pointers to those ids */
  mergedKeys: string[];
  scan: ScanningBackend | undefined;
  phones: string[];
  addresses: [string, string][];
  report: ErasureReport;
  now: Date;
}

/** `kv.delete`, counted in the report */
async function deleteKey(e: Erasure, key: string): Promise<void> {
  if (await e.store.backend.kv.delete(key)) e.report.keysDeleted += 1;
}

/**
 * Forgets a person (a contact) at a facility: the contact and its channel/phone claims, the patients
 * linked to it alone (shared patients lose its link and phone), the mirror appointments' patient
 * details and contact, the conversation, turn record, inbox, pushed choices, verification code, send
 * records, queued batches and the job payloads that mention it. The provider's records are untouched.
 * Returns what was done (ids and counts only), or undefined when the contact is unknown.
 */
export async function eraseContact(store: Store, facilityId: string, contactId: string, now: Date = new Date()): Promise<ErasureReport | undefined> {
  const found = (await store.contacts.get(facilityId, contactId)) as LegacyContact | undefined;
  if (!found) return undefined;
  return store.locks.withLock(K.conv(facilityId, found.id), () => eraseUnderLock(store, facilityId, found, now), LOCK);
}

/** the erasure, step by step; the contact record goes last, so an erasure cut short can be run again */
async function eraseUnderLock(store: Store, f: string, found: LegacyContact, now: Date): Promise<ErasureReport> {
  const e = await beginErasure(store, f, found, now);
  // what the indexes reach is read before anything is deleted
  const patients = await patientsOf(store, f, e.ids);
  const appointments = await appointmentsOf(store, f, e.ids, patients, e.phones);
  const needles = contactNeedles(e);
  const deletedPatients = await erasePatients(e, patients, needles);
  await erasePatientsByPhone(e, deletedPatients);
  await deleteMergedPatientPointers(e, deletedPatients);
  await anonymizeAppointments(e, appointments, deletedPatients, needles);
  await deletePerContactRecords(e);
  if (e.scan) {
    await deleteInboxAndAttentionItems(e);
    await deleteSendRecords(e, e.scan);
    await deleteQueuedBatches(e);
    await redactJobs(e, needles);
  }
  await store.locks.withLock(`contact:${f}:${e.id}`, () => deleteContactRecord(e));
  return e.report;
}

/** the contact as stored now (it may have changed before the lock was ours), its ids, phones and addresses; an empty report */
async function beginErasure(store: Store, f: string, found: LegacyContact, now: Date): Promise<Erasure> {
  const id = found.id;
  const stored = await store.backend.kv.get<LegacyContact>(K.contact(f, id));
  const contact = (stored ? upgradeContact(stored) : found) as LegacyContact;
  const { ids, mergedKeys } = await personIds(store, f, id);
  return {
    store,
    f,
    id,
    contact,
    ids,
    mergedKeys,
    scan: scanner(store.backend),
    phones: phonesOf(contact),
    addresses: addressesOf(contact),
    report: {
      contactId: id,
      mergedIds: [...ids].filter((x) => x !== id),
      patientsDeleted: [],
      patientsUnlinked: [],
      appointmentsAnonymized: [],
      sendRecordsDeleted: 0,
      jobsRedacted: 0,
      keysDeleted: 0,
    },
    now,
  };
}

/** strings that point at the person inside a job payload (the patients erased and their appointments add theirs) */
function contactNeedles(e: Erasure): Set<string> {
  const { contact } = e;
  const needles = new Set<string>([...e.ids, ...e.phones, ...e.addresses.map(([, a]) => a), ...uniq([contact.nationalId, contact.email])]);
  if (contact.name && contact.name.trim().length >= 3) needles.add(contact.name);
  return needles;
}

/** patients: ours alone are deleted; shared ones lose this contact's link and phone. Returns the ids deleted. */
async function erasePatients(e: Erasure, patients: Patient[], needles: Set<string>): Promise<Set<string>> {
  const { store, f, ids, phones, report } = e;
  const deletedPatients = new Set<string>();
  for (const p of patients) {
    const others = p.links.filter((l) => !ids.has(l.contactId));
    if (others.length === 0) {
      deletedPatients.add(p.id);
      for (const x of uniq([p.nationalId, p.email, ...(p.phones ?? [])])) needles.add(x);
      if (p.name && p.name.trim().length >= 3) needles.add(p.name);
      await store.patients.delete(f, p.id);
      report.patientsDeleted.push(p.id);
    } else {
      await store.patients.update(f, p.id, (cur) => ({
        ...cur,
        links: cur.links.filter((l) => !ids.has(l.contactId)),
        ...(cur.phones ? { phones: cur.phones.filter((ph) => !phones.includes(ph)) } : {}),
      }));
      report.patientsUnlinked.push(p.id);
    }
  }
  return deletedPatients;
}

/** patients of nobody that carry this person's phone (a desk booking the hospital sent us): ours, deleted (added to `deletedPatients`) */
async function erasePatientsByPhone(e: Erasure, deletedPatients: Set<string>): Promise<void> {
  const { store, f, report } = e;
  for (const phone of e.phones) {
    for (const p of await store.patients.byPhone(f, phone)) {
      if (deletedPatients.has(p.id) || report.patientsUnlinked.includes(p.id)) continue;
      if (p.links.length === 0) {
        deletedPatients.add(p.id);
        await store.patients.delete(f, p.id);
        report.patientsDeleted.push(p.id);
      } else {
        await store.patients.update(f, p.id, (cur) => ({ ...cur, phones: (cur.phones ?? []).filter((ph) => ph !== phone) }));
        report.patientsUnlinked.push(p.id);
      }
    }
  }
}

/** `patient-merged:<f>:<old>` pointers to a deleted patient */
async function deleteMergedPatientPointers(e: Erasure, deletedPatients: Set<string>): Promise<void> {
  if (!e.scan || deletedPatients.size === 0) return;
  for await (const key of e.scan.scanKeys(`patient-merged:${e.f}:`)) {
    const to = await e.store.backend.kv.get<string>(key);
    if (to && deletedPatients.has(to)) await deleteKey(e, key);
  }
}

/** the mirror keeps the appointment, not the person */
async function anonymizeAppointments(e: Erasure, appointments: Appointment[], deletedPatients: Set<string>, needles: Set<string>): Promise<void> {
  for (const a of appointments) {
    for (const x of uniq([a.patient?.nationalId, a.patient?.email])) if (!a.patientRef || deletedPatients.has(a.patientRef)) needles.add(x);
    await e.store.appointments.upsert(e.f, a.appointmentId, (cur) => (cur ? anonymized(cur, e.ids, deletedPatients, e.phones) : undefined));
    e.report.appointmentsAnonymized.push(a.appointmentId);
  }
}

/** conversation, turn, inbox, pushed choices, refresh marks (per contact id, merged ones too) */
async function deletePerContactRecords(e: Erasure): Promise<void> {
  const { store, f } = e;
  const { indexes } = store.backend;
  for (const cid of e.ids) {
    await store.conversations.delete(f, cid);
    for (const key of [K.turn(f, cid), K.push(f, cid), K.survey(f, cid), K.mirrorRefreshed(f, cid)]) await deleteKey(e, key);
    await store.surveys.forget(f, cid);
    for (const member of await indexes.members(K.inboxQueue(f, cid))) {
      await deleteKey(e, K.inboxItem(f, member));
      await indexes.remove(K.inboxQueue(f, cid), member);
    }
    await indexes.remove(K.inboxPending, K.inboxPendingMember(f, cid));
  }
}

/** inbox items whose queue entry is gone, attention items and tickets about this person */
async function deleteInboxAndAttentionItems(e: Erasure): Promise<void> {
  const { store, f, ids } = e;
  for (const { key } of await collect<{ contactId?: string }>(store.backend, `${PREFIX.inboxItem}${f}:`, (i) => !!i.contactId && ids.has(i.contactId))) await deleteKey(e, key);
  for (const { key, value } of await collect<AttentionLike>(store.backend, `${PREFIX.attentionItem}${f}:`, (a) => !!a.contactId && ids.has(a.contactId))) {
    await deleteKey(e, key);
    await store.backend.indexes.remove(K.attention(f), value.id);
  }
  // tickets hold the thread (the patient's and staff's words)
  for (const t of await store.tickets.ofContact(f, ids)) {
    await store.tickets.delete(f, t);
    e.report.keysDeleted += 1;
  }
}

/** send records (ids and statuses, but they say whom we wrote to and when) and their receipt index */
async function deleteSendRecords(e: Erasure, scan: ScanningBackend): Promise<void> {
  const { store, f, ids } = e;
  const { kv, indexes } = store.backend;
  const records = await collect<SendRecordLike>(store.backend, PREFIX.sendRecord, (r) => r.facilityId === f && !!r.contactId && ids.has(r.contactId));
  const recordIds = new Set(records.map((r) => r.value.id));
  for (const { key, value } of records) {
    await deleteKey(e, key);
    await indexes.remove(K.undeliverable(f), value.id);
    e.report.sendRecordsDeleted += 1;
  }
  if (recordIds.size === 0) return;
  for await (const key of scan.scanKeys(PREFIX.pmid)) {
    const to = await kv.get<string>(key);
    if (to && recordIds.has(to)) await deleteKey(e, key);
  }
}

/** batches waiting to be sent to this person (rendered text) and their order sets */
async function deleteQueuedBatches(e: Erasure): Promise<void> {
  const { store, f, ids, phones, addresses } = e;
  const { indexes } = store.backend;
  const mine = (m: OutboundLike) => (!!m.contactId && ids.has(m.contactId)) || addresses.some(([ch, a]) => m.channel === ch && m.channelUserId === a) || (m.channel === PHONE_CHANNEL && !!m.channelUserId && phones.includes(m.channelUserId));
  for (const { key } of await collect<OutboundLike[]>(store.backend, PREFIX.batch, (msgs) => Array.isArray(msgs) && msgs.some(mine))) await deleteKey(e, key);
  const orderSets = uniq([...addresses.map(([ch, a]) => K.order(f, ch, a)), ...phones.map((p) => K.order(f, PHONE_CHANNEL, p))]);
  for (const set of orderSets) for (const m of await indexes.members(set)) await indexes.remove(set, m);
}

/**
 * Job payloads that mention the person: finished ones redacted, pending sends canceled
 * (a name alone may be someone else's: it redacts a finished payload, never cancels a send).
 */
async function redactJobs(e: Erasure, needles: Set<string>): Promise<void> {
  const { store, now } = e;
  const { kv, indexes } = store.backend;
  const list = [...needles].filter((n) => n.length >= 3);
  const strong = [...e.ids, ...e.phones, ...e.addresses.map(([, a]) => a)];
  const jobs = await collect<JobRecordLike>(store.backend, PREFIX.job, (j) => j.payload !== null && j.payload !== undefined && list.some((n) => JSON.stringify(j.payload).includes(n)));
  for (const { key, value } of jobs) {
    if (FINAL_JOB.includes(value.state)) {
      await kv.set(key, { ...value, payload: null, redacted: true }, remainingTtl(value, now));
    } else if (value.state === 'pending' && SEND_JOBS.includes(value.name) && strong.some((n) => JSON.stringify(value.payload).includes(n))) {
      await indexes.remove(K.jobsDue, value.id);
      await kv.set(key, { ...value, state: 'canceled', payload: null, redacted: true, updatedAt: now.getTime() }, JOB_RECORD_TTL_MS);
    } else {
      continue;
    }
    e.report.jobsRedacted += 1;
  }
}

/** the contact itself, its merged pointers, claims and list entries (under the contact's lock) */
async function deleteContactRecord(e: Erasure): Promise<void> {
  const { store, f, id, ids, phones, addresses, scan, contact } = e;
  const { indexes } = store.backend;
  await deleteKey(e, K.contact(f, id));
  for (const key of e.mergedKeys) await deleteKey(e, key);
  for (const [ch, a] of addresses) await releaseIfOurs(store.backend, K.contactChannel(f, ch, a), ids);
  for (const p of phones) {
    await releaseIfOurs(store.backend, K.contactVerifiedPhone(f, p), ids);
    await releaseIfOurs(store.backend, K.contactPhone(f, p), ids);
  }
  if (scan) await releaseClaimsNamingPerson(e, scan);
  for (const cid of ids) {
    await indexes.remove(K.contacts(f), cid);
    await deleteKey(e, `otp:${f}:${cid}`);
  }
  for (const pid of uniq([contact.patientId, ...(contact.temporaryPatientIds ?? [])])) for (const cid of ids) await indexes.remove(K.contactPid(f, pid), cid);
  if (scan) await deleteOtherPerContactFamilies(e, scan);
}

/** claims of this facility held by the person, or whose key names one of its ids or addresses */
async function releaseClaimsNamingPerson(e: Erasure, scan: ScanningBackend): Promise<void> {
  const { f, ids } = e;
  const segments = new Set([...ids, ...e.phones, ...e.addresses.map(([, a]) => a)]);
  for await (const c of scan.scanClaims('')) {
    const parts = c.key.split(':');
    if (parts[1] !== f && !c.key.includes(`:${f}:`)) continue;
    if (ids.has(c.owner) || parts.some((s) => segments.has(s))) await e.store.backend.indexes.release(c.key, c.owner);
  }
}

/** per-contact families not named above (a later feature's `<family>:<f>:<contactId>`), keys and sets */
async function deleteOtherPerContactFamilies(e: Erasure, scan: ScanningBackend): Promise<void> {
  const { f, ids, phones, addresses } = e;
  const { indexes } = e.store.backend;
  for await (const key of scan.scanKeys('')) {
    const parts = key.split(':');
    if (parts.length >= 3 && parts.includes(f) && ids.has(parts[parts.length - 1]!)) await deleteKey(e, key);
  }
  for await (const set of scan.scanSets('')) {
    const parts = set.split(':');
    if (!parts.includes(f) || !parts.slice(1).some((s) => ids.has(s) || phones.includes(s) || addresses.some(([, a]) => a === s))) continue;
    for (const m of await indexes.members(set)) await indexes.remove(set, m);
  }
}

async function releaseIfOurs(backend: StoreBackend, key: string, ids: Set<string>): Promise<void> {
  const holder = await backend.indexes.claimedBy(key);
  if (holder && ids.has(holder)) await backend.indexes.release(key, holder);
}

function remainingTtl(job: JobRecordLike, now: Date): number {
  const finishedAt = typeof job.updatedAt === 'number' ? job.updatedAt : now.getTime();
  return Math.max(60_000, finishedAt + JOB_RECORD_TTL_MS - now.getTime());
}
