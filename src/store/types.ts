import type { Appointment, ChannelName, Contact, Patient, PatientLink } from '../core/domain.js';
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

/** Processed inbound ids (platform message ids, webhook ids): the de-duplication ledger. */
export interface EventLedger {
  /** true the first time an id is seen in a scope; false for a repeat */
  firstSeen(scope: string, id: string, ttlMs?: number): Promise<boolean>;
  forget(scope: string, id: string): Promise<void>;
}

export interface Store {
  readonly backend: StoreBackend;
  readonly locks: Locks;
  readonly contacts: ContactRepo;
  readonly patients: PatientRepo;
  readonly codes: VerificationCodeStore;
  readonly appointments: AppointmentRepo;
  readonly conversations: ConversationRepo;
  readonly events: EventLedger;
  close(): Promise<void>;
}
