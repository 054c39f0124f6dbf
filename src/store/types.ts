import type { Appointment, ChannelName, Contact, Patient, PatientLink } from '../core/domain.js';
import type { AttentionStore } from './attention.js';
import type { TicketStore } from './tickets.js';
import type { BroadcastStore } from './broadcasts.js';
import type { StaffSessionStore } from './staff-sessions.js';
import type { AuthFailureStore } from './auth-failures.js';
import type { CalendarStore } from './calendars.js';
import type { MirrorRefreshStore } from './mirror-refreshes.js';
import type { PushedChoiceStore } from './pushed-choices.js';
import type { SurveyStore } from './surveys.js';
import type { SendRecordStore } from './send-records.js';
import type { TurnLog } from './turns.js';
import type { VerificationCodeStore } from './verification-codes.js';

/**
 * The store's primitives. Values live in keyv (SQLite by default, Redis or Postgres when configured);
 * indexes and claims are atomic operations of the same backend, so they stay correct when several
 * writers (or several instances) act at once.
 */
export interface KeyValue {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface Indexes {
  /** adds (or re-scores) a member of a sorted set */
  add(set: string, member: string, score?: number): Promise<void>;
  remove(set: string, member: string): Promise<void>;
  members(set: string): Promise<string[]>;
  /** members with min <= score <= max, lowest score first */
  range(set: string, min: number, max: number, limit?: number): Promise<{ member: string; score: number }[]>;
  /** atomic set-if-absent: true for exactly one caller per key (until ttl expires) */
  claim(key: string, owner: string, ttlMs?: number): Promise<boolean>;
  /** who holds the claim, if anyone */
  claimedBy(key: string): Promise<string | undefined>;
  release(key: string, owner: string): Promise<boolean>;
}

/** Serializes work per key. In-process by default; held in Redis when `redis` is configured. */
export interface Locks {
  withLock<T>(key: string, fn: () => Promise<T>, opts?: { ttlMs?: number; waitMs?: number }): Promise<T>;
}

export interface StoreBackend {
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  readonly kv: KeyValue;
  readonly indexes: Indexes;
  /** the keyed serial queue's items, leases and de-duplication ledger */
  readonly serial: SerialLog;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ContactRepo {
  get(facilityId: string, id: string): Promise<Contact | undefined>;
  byChannelUser(facilityId: string, channel: ChannelName, userId: string): Promise<Contact | undefined>;
  /** the one contact that has proved this phone (an SMS from it, or a code sent to it) */
  byVerifiedPhone(facilityId: string, e164: string): Promise<Contact | undefined>;
  /**
   * creates or returns the contact for this channel user (one contact per user even under races).
   * An SMS user is its phone, proved by the message itself: it joins the contact that verified that phone.
   */
  ensureForChannelUser(facilityId: string, channel: ChannelName, userId: string, init?: Partial<Contact>): Promise<Contact>;
  /** whom to tell at this phone (desk bookings): the contact that verified it, else its SMS contact (created) */
  ensureForPhone(facilityId: string, e164: string, init?: Partial<Contact>): Promise<Contact>;
  /**
   * `id` has proved `e164`: records it and takes the phone's claim when it is free. When another live
   * contact holds it, `heldBy` names that contact (the caller decides whether they are one person).
   */
  verifyPhone(facilityId: string, id: string, e164: string, how: NonNullable<Contact['phoneVerifiedBy']>, at: string): Promise<{ contact: Contact; heldBy?: string }>;
  /** read-modify-write under the contact's lock; keeps every index in step */
  update(facilityId: string, id: string, fn: (c: Contact) => Contact | void): Promise<Contact>;
  /** moves channel addresses and ids of `fromId` into `intoId` and deletes `fromId` (linking a desk contact) */
  merge(facilityId: string, intoId: string, fromId: string): Promise<Contact>;
  list(facilityId: string): Promise<Contact[]>;
}

export interface PatientRepo {
  get(facilityId: string, id: string): Promise<Patient | undefined>;
  /** by the provider's permanent or temporary patient id */
  byProviderId(facilityId: string, providerId: string): Promise<Patient | undefined>;
  /** every patient whose bookings carry this phone (a household shares one) */
  byPhone(facilityId: string, e164: string): Promise<Patient[]>;
  /** the patients a contact may act for (claimed and verified links) */
  ofContact(facilityId: string, contactId: string): Promise<Patient[]>;
  /**
   * The patient holding one of these provider ids, else a new one. Provider ids are unique claims:
   * an id held by one patient is never given to another. `init` fills a new record only.
   */
  ensure(facilityId: string, ids: { patientId?: string; temporaryPatientId?: string }, init: Partial<Patient>): Promise<Patient>;
  /** a new patient without provider ids yet (someone a contact books for) */
  create(facilityId: string, init: Partial<Patient>): Promise<Patient>;
  /**
   * read-modify-write under the patient's lock; keeps every index in step. A provider id `fn` adds
   * that another patient holds is dropped (never moved) and reported in `conflicts`.
   */
  update(facilityId: string, id: string, fn: (p: Patient) => Patient | void): Promise<{ patient: Patient; conflicts: string[] }>;
  /** adds or upgrades a contact's link (verified wins over claimed; consent and relationship kept once set) */
  link(facilityId: string, id: string, link: PatientLink): Promise<Patient>;
  /** the hospital says two records are one person: `fromId` goes into `intoId` (links and ids), `fromId` is deleted */
  merge(facilityId: string, intoId: string, fromId: string): Promise<Patient>;
  /** moves every link of contact `from` to contact `to` (contacts merged) */
  moveLinks(facilityId: string, from: string, to: string): Promise<void>;
  delete(facilityId: string, id: string): Promise<void>;
  list(facilityId: string): Promise<Patient[]>;
}

export interface AppointmentRepo {
  get(facilityId: string, appointmentId: string): Promise<Appointment | undefined>;
  /** read-modify-write under the appointment's lock; `fn` returns undefined to leave it as it is */
  upsert(facilityId: string, appointmentId: string, fn: (current: Appointment | undefined) => Appointment | undefined): Promise<Appointment | undefined>;
  /** appointments starting on a facility-local day (YYYY-MM-DD) */
  byDay(facilityId: string, day: string): Promise<Appointment[]>;
  byContact(facilityId: string, contactId: string): Promise<Appointment[]>;
  byPatientId(facilityId: string, patientId: string): Promise<Appointment[]>;
  /** follows an old id (before a reschedule changed it) to the current appointment */
  resolveId(facilityId: string, appointmentId: string): Promise<string | undefined>;
}

export interface ConversationRecord {
  facilityId: string;
  contactId: string;
  /** XState persisted snapshot */
  snapshot: unknown;
  updatedAt: string;
  version: number;
}

export interface ConversationRepo {
  get(facilityId: string, contactId: string): Promise<ConversationRecord | undefined>;
  save(record: ConversationRecord): Promise<void>;
  delete(facilityId: string, contactId: string): Promise<void>;
}

export interface Store {
  readonly backend: StoreBackend;
  readonly locks: Locks;
  readonly contacts: ContactRepo;
  readonly patients: PatientRepo;
  readonly codes: VerificationCodeStore;
  readonly appointments: AppointmentRepo;
  readonly conversations: ConversationRepo;
  readonly calendars: CalendarStore;
  /** the engine's last turn per contact (its commit point) */
  readonly turns: TurnLog;
  /** the choices of the last push to a contact */
  readonly pushedChoices: PushedChoiceStore;
  /** the latest post-visit survey asked of a contact, and its answer */
  readonly surveys: SurveyStore;
  /** when a contact's appointments were last refreshed from the provider */
  readonly mirrorRefreshes: MirrorRefreshStore;
  /** handoffs and local confirmations for staff */
  readonly attention: AttentionStore;
  readonly tickets: TicketStore;
  /** the outbox's send records, receipt and undeliverable indexes */
  readonly sendRecords: SendRecordStore;
  /** staff broadcasts */
  readonly broadcasts: BroadcastStore;
  /** signed-in staff consoles */
  readonly staffSessions: StaffSessionStore;
  readonly authFailures: AuthFailureStore;
  /** the queue's log: the backend's own, or Redis when `redis` is configured */
  readonly serial: SerialLog;
  close(): Promise<void>;
}

/**
 * The primitive under the keyed serial queue (src/jobs/serial.ts): per key a FIFO of items, at most one
 * head leased at a time, and one ledger of ids already accepted. Every method is one atomic step of the
 * backend (a SQLite/Postgres transaction, a Redis Lua script), so several workers and instances on one
 * backend never take the same head and never lose or reorder an item.
 */
export interface SerialItemInput {
  /** de-duplication id (one ledger across every queue): a repeat within the retention is refused */
  id: string;
  /** the FIFO it joins (a conversation, a recipient) */
  key: string;
  payload: string;
  /** 0 ahead of everything (a code the patient waits for), 1 normal, 2 behind (a broadcast's sends) */
  lane: 0 | 1 | 2;
}

export interface SerialHead {
  queue: string;
  key: string;
  id: string;
  payload: string;
  lane: 0 | 1 | 2;
  enqueuedAt: number;
  /** attempts already made on this item (0 on its first run) */
  attempts: number;
  /** proves the lease: complete / retry / bury / renew with another token do nothing */
  token: string;
}

export interface SerialDeadItem {
  queue: string;
  key: string;
  id: string;
  payload: string | null;
  attempts: number;
  error: string;
  at: number;
}

export interface SerialStats {
  /** items waiting or running */
  depth: number;
  /** when the oldest item still waiting (or running) was accepted */
  oldestAt?: number;
  /** keys leased by a worker now */
  leased: number;
  dead: number;
}

export interface SerialLog {
  /** de-duplicate + append, atomically; false when the id was seen within `dedupeTtlMs` */
  push(queue: string, item: SerialItemInput, dedupeTtlMs: number): Promise<boolean>;
  /** leases up to `max` ready keys (lowest lane first, oldest first; expired leases included) and returns their heads */
  claim(queue: string, max: number, leaseMs: number): Promise<SerialHead[]>;
  /** the head is done: removed; its key becomes ready for the next item */
  complete(head: SerialHead): Promise<boolean>;
  /** the head failed: kept first in line, ready again after `delayMs` */
  retry(head: SerialHead, delayMs: number, error: string): Promise<boolean>;
  /** the head failed for good: moved to the dead letters (payload dropped unless `keepPayload`); the key moves on */
  bury(head: SerialHead, error: string, keepPayload: boolean): Promise<boolean>;
  /** extends a lease still held */
  renew(head: SerialHead, leaseMs: number): Promise<boolean>;
  stats(queue: string): Promise<SerialStats>;
  /** whether the ledger holds this id (within its retention) */
  seen(id: string): Promise<boolean>;
  dead(queue: string, limit?: number): Promise<SerialDeadItem[]>;
  /** drops ledger entries past their retention and dead letters older than `deadBefore`; rows deleted */
  purge(deadBefore: number): Promise<number>;
}
