/**
 * Every key family the service stores, in one place: what it holds, which module writes it, and how
 * long it is kept. The README's storage table is this list; a test runs the service (a booking, a desk
 * webhook, a broadcast) and checks that every key written matches one of these families.
 *
 * Keys are shown without the store's namespace (`fd` by default): in SQLite and Postgres a value is the
 * row `<ns>:<key>`, a sorted set the rows named `<ns>:<name>`, a claim the row `<ns>:<key>`; in Redis
 * a value is `<ns>::<key>`, a sorted set `<ns>:z:<name>`, a claim `<ns>:c:<key>`, a lock `<ns>:lock:<key>`.
 * The keyed serial queue (kind `serial`) is the tables `serial_*` (SQLite) / `fd_serial_*` (Postgres), rows
 * of the namespace, or the keys `<ns>:s:<name>` in Redis (whenever `redis` is set).
 *
 * Patterns: `{f}` a facility id, `{id}` one id (no `:`), `{*}` anything (ids that may hold `:`).
 */

export type KeyKind = 'kv' | 'zset' | 'claim' | 'lock' | 'bullmq' | 'serial';

/** The configurable periods (days) of `retention` in the config; see src/config/schema.ts. */
export interface RetentionPeriods {
  /** conversation snapshots, after their last activity */
  conversationsDays: number;
  /** turn records (one per contact: the last turn, with its replies) and mirror-refresh marks */
  turnRecordsDays: number;
  /** inbound messages left in an inbox (normally removed once processed) */
  inboxDays: number;
  /** send records (status per message, no text), their receipt index and broadcasts */
  sendRecordsDays: number;
  /** finished jobs' payloads (a message's text, a provider event's patient): redacted after this */
  finishedJobsDays: number;
  /** contacts (and patients linked to no one) with no activity: erased */
  inactiveContactsDays: number;
  /** the appointment mirror, after the appointment's start */
  appointmentsDays: number;
  /** staff audit entries */
  auditDays: number;
  /** records of queue items that failed for good (ids, attempts, error; never the payload) */
  deadLettersDays: number;
}

export const DEFAULT_RETENTION: RetentionPeriods = {
  conversationsDays: 30,
  turnRecordsDays: 7,
  inboxDays: 7,
  sendRecordsDays: 90,
  finishedJobsDays: 7,
  inactiveContactsDays: 730,
  appointmentsDays: 365,
  auditDays: 730,
  deadLettersDays: 14,
};

/** a job record as the embedded queue stores it, as far as retention and erasure read it */
export interface JobRecordLike {
  id: string;
  name: string;
  state: string;
  payload: unknown;
  updatedAt?: number;
  redacted?: boolean;
}

export interface KeyFamily {
  pattern: string;
  kind: KeyKind;
  /** the module that writes it */
  owner: string;
  /** what it holds; `personal` when that includes a patient's details, a message's text or a phone/address */
  holds: string;
  personal: boolean;
  /** how long it is kept, in words (README) */
  retention: string;
  /** the configured period that bounds it, when one does */
  period?: keyof RetentionPeriods;
}

const F = (pattern: string, kind: KeyKind, owner: string, personal: boolean, holds: string, retention: string, period?: keyof RetentionPeriods): KeyFamily => ({
  pattern,
  kind,
  owner,
  holds,
  personal,
  retention,
  ...(period ? { period } : {}),
});

const CONTACTS = 'src/store/contacts.ts';
const PATIENTS = 'src/store/patients.ts';
const APPTS = 'src/store/appointments.ts';
const TURNS = 'src/store/turns.ts';
const ATTENTION = 'src/store/attention.ts';
const OUTBOX = 'src/store/send-records.ts';
const BROADCASTS = 'src/store/broadcasts.ts';
const SERIAL = 'src/store/backends/serial-sqlite.ts';
const LEGACY = 'src/store/migrations/inbox.ts';
const JOBS = 'src/store/jobs.ts';
const WITH_CONTACT = 'with its contact (erasure, inactive contacts)';

export const KEY_FAMILIES: readonly KeyFamily[] = [
  // identity
  F('contact:{f}:{id}', 'kv', CONTACTS, true, 'a contact: channel addresses, phone, name, date of birth, national id, consent, locale', 'erased after inactiveContactsDays without activity, or on request', 'inactiveContactsDays'),
  F('contact-merged:{f}:{id}', 'kv', CONTACTS, false, 'the id a merged contact went into', WITH_CONTACT),
  F('contact-ch:{f}:{id}:{*}', 'claim', CONTACTS, true, 'channel address (PSID, Viber id, phone, dev id) → contact id', WITH_CONTACT),
  F('contact-vphone:{f}:{*}', 'claim', CONTACTS, true, 'a phone → the contact that proved it (an SMS from it, or a code)', WITH_CONTACT),
  F('contact-phone:{f}:{*}', 'claim', CONTACTS, true, 'phone → contact id (before verified phones; released by the identity migration)', WITH_CONTACT),
  F('contact-pid:{f}:{*}', 'zset', CONTACTS, false, 'contacts carrying a provider patient id (before patient records; emptied by the identity migration)', WITH_CONTACT),
  F('migration:{*}', 'kv', 'src/store/migrations', false, 'a data migration has run for a facility', 'kept'),
  F('contacts:{f}', 'zset', CONTACTS, false, 'every contact of a facility', WITH_CONTACT),
  F('patient:{f}:{id}', 'kv', PATIENTS, true, "a patient: the provider's ids, name, date of birth, national id, phones, links to contacts", 'erased with the last contact linked to it; unlinked ones after inactiveContactsDays', 'inactiveContactsDays'),
  F('patient-merged:{f}:{id}', 'kv', PATIENTS, false, 'the id a merged patient went into', 'with its patient'),
  F('patient-pid:{f}:{*}', 'claim', PATIENTS, false, 'provider patient id → patient id', 'with its patient'),
  F('patient-phone:{f}:{*}', 'zset', PATIENTS, true, 'patients whose bookings carry a phone', 'with its patients'),
  F('patients-of:{f}:{id}', 'zset', PATIENTS, false, 'patients a contact may act for', WITH_CONTACT),
  F('patients:{f}', 'zset', PATIENTS, false, 'every patient of a facility', 'with its patients'),
  F('otp:{f}:{id}', 'kv', 'src/store/verification-codes.ts', true, "a contact's pending one-time code: the phone it went to and the code's salted hash", '10 minutes (TTL)'),
  F('otp-slot:{f}:{*}', 'claim', 'src/store/verification-codes.ts', true, 'one claim per code sent to a phone (rate limit; its name holds the phone)', '1 hour (TTL)'),

  // the appointment mirror
  F('appt:{f}:{id}', 'kv', APPTS, true, "an appointment as the provider told it, with the patient's details and our contact id", 'deleted appointmentsDays after its start; anonymized on erasure', 'appointmentsDays'),
  F('appt-alias:{f}:{id}', 'kv', APPTS, false, 'the id an appointment took after a reschedule', 'with its appointment'),
  F('appt-day:{f}:{*}', 'zset', APPTS, false, 'appointment ids by facility-local day', 'with its appointments'),
  F('appt-contact:{f}:{id}', 'zset', APPTS, false, "a contact's appointment ids", 'with its appointments or contact'),
  F('appt-pid:{f}:{*}', 'zset', APPTS, false, 'appointment ids by provider patient id', 'with its appointments'),
  F('calendars:{f}', 'kv', 'src/store/calendars.ts', false, "the provider's calendars and appointment types", 'replaced at every calendar sync'),

  // conversations and the engine
  F('conv:{f}:{id}', 'kv', 'src/store/conversations.ts', true, 'the conversation snapshot (answers given so far: name, date of birth, phone…)', 'conversationsDays after its last activity', 'conversationsDays'),
  F('engine:turn:{f}:{id}', 'kv', TURNS, true, "a contact's last turn: its replies (text) and effects, replayed after a crash", 'turnRecordsDays', 'turnRecordsDays'),
  F('engine:done:{*}', 'kv', LEGACY, false, 'before the serial queue: an inbound message id was processed', '7 days (TTL); no longer written'),
  F('engine:push:{f}:{id}', 'kv', 'src/store/pushed-choices.ts', true, 'the choices of the last push to a contact (reminder answers by number)', '14 days (TTL)'),
  F('survey:{f}:{id}', 'kv', 'src/store/surveys.ts', true, "a contact's latest post-visit survey: the appointment, until when it may be answered, the 0–10 score and the comment", '30 days (TTL), erased with the contact'),
  F('surveys:{f}', 'zset', 'src/store/surveys.ts', false, 'contacts whose survey was answered, by the time of the score (the staff list)', 'entries older than 30 days trimmed as answers come; a contact removed on erasure'),
  F('engine:mirror-refreshed:{f}:{id}', 'kv', 'src/store/mirror-refreshes.ts', false, "when a contact's appointments were last refreshed from the provider", 'turnRecordsDays', 'turnRecordsDays'),
  F('inbox:item:{f}:{*}', 'kv', LEGACY, true, 'before the serial queue: an inbound message waiting for its turn', 'moved to the queue at start-up; leftovers inboxDays', 'inboxDays'),
  F('inbox:q:{f}:{id}', 'zset', LEGACY, false, "before the serial queue: a conversation's waiting message keys", 'moved to the queue at start-up; leftovers inboxDays', 'inboxDays'),
  F('inbox:pending', 'zset', LEGACY, false, 'before the serial queue: conversations that may hold waiting messages', 'emptied at start-up'),
  F('seen:{*}', 'claim', LEGACY, false, 'before the serial queue: inbound message ids already accepted', '7 days (TTL); no longer written'),
  F('attention:item:{f}:{id}', 'kv', ATTENTION, false, 'a handoff or local confirmation for staff (ids, channel, reason)', '30 days (TTL)'),
  F('attention:{f}', 'zset', ATTENTION, false, 'attention items by time', 'with its items'),
  F('ticket:{f}:{id}', 'kv', 'src/store/tickets.ts', true, 'a conversation handed to staff: its state, reason, who claimed it, and the thread (patient, bot and staff messages)', '30 days after it was resolved; an untouched open one 90 days (TTL)'),
  F('tickets:{f}', 'zset', 'src/store/tickets.ts', false, 'ticket ids by last change', 'with its tickets'),
  F('ticket-open:{f}:{id}', 'kv', 'src/store/tickets.ts', false, "a contact's open ticket id", 'until the ticket is resolved (90 days TTL)'),

  // the outbox (src/jobs/outbox.ts): its send records
  F('outbox:rec:{*}', 'kv', OUTBOX, false, 'per message: channel, status, purpose, contact and appointment ids, platform ids (no text)', 'sendRecordsDays', 'sendRecordsDays'),
  F('outbox:pmid:{id}:{*}', 'kv', OUTBOX, false, "platform message id → our message id (delivery receipts)", 'sendRecordsDays', 'sendRecordsDays'),
  F('outbox:sent:{f}:{id}:{*}', 'zset', OUTBOX, true, "Messenger messages sent to a recipient, by time (its name holds the PSID): a read watermark marks them read", 'until read; at most sendRecordsDays', 'sendRecordsDays'),
  F('outbox:undeliverable:{f}', 'zset', OUTBOX, false, 'messages no channel could carry, for staff', 'with their send records'),
  F('outbox:batch:{id}', 'kv', LEGACY, true, "before the serial queue: one turn's replies waiting to be sent in order", 'no longer written; leftovers finishedJobsDays', 'finishedJobsDays'),
  F('outbox:order:{f}:{id}:{*}', 'zset', LEGACY, true, "before the serial queue: a recipient's batches in order", 'no longer written; leftovers finishedJobsDays', 'finishedJobsDays'),

  // the keyed serial queue (src/jobs/serial.ts): conversations (`inbound`), provider events (`provider`), sends (`outbound`)
  F('serial:seen:{*}', 'serial', SERIAL, false, 'the one de-duplication ledger: every accepted platform message id, webhook-id, receipt and send id', 'queue.dedupeDays (default 7)'),
  F('serial:items:{id}:{*}', 'serial', SERIAL, true, 'an item waiting for its turn: an inbound message (text, phone), a provider event (patient details) or the messages of a send', 'until processed (seconds); deleted when done or dead-lettered'),
  F('serial:keys:{id}:{*}', 'serial', SERIAL, true, "a key's place in line and lease: a chat user's or recipient's address, a provider appointment id", 'while the key has items'),
  F('serial:dead:{id}:{*}', 'serial', SERIAL, false, 'an item that failed for good: its ids, attempts and error (never the payload)', 'deadLettersDays', 'deadLettersDays'),

  // the embedded job queue (src/jobs/embedded.ts), through its repository; BullMQ keeps its own, below
  F('jobs:job:{*}', 'kv', JOBS, true, "a job: name, state, attempts and payload (a send holds the rendered message; a provider event the patient's details)", 'payload redacted finishedJobsDays after it finished; record 30 days (TTL)', 'finishedJobsDays'),
  F('jobs:due', 'zset', JOBS, false, 'pending job ids by run time', 'until run'),
  F('jobs:lease:{*}', 'claim', JOBS, false, 'which worker runs a job now', 'minutes (TTL)'),
  F('jobs:alive:{*}', 'kv', JOBS, false, 'a worker instance is alive', '10 seconds (TTL)'),

  // staff
  F('broadcast:{id}', 'kv', BROADCASTS, false, "a broadcast: the staff's request (date, calendar, text), recipients (ids), who made it (token name) and its final counts", 'sendRecordsDays after it was made', 'sendRecordsDays'),
  F('broadcast-claim:{id}', 'claim', BROADCASTS, false, 'one broadcast per identical request', 'with its broadcast'),
  F('broadcasts:{f}', 'zset', BROADCASTS, false, "a facility's broadcast ids by the time they were made (the staff's history)", 'with its broadcast'),
  F('staff-session:{id}', 'kv', 'src/store/staff-sessions.ts', false, 'a signed-in staff console: the member\'s name, a digest of the token used, its CSRF token and expiry (keyed by a hash of the cookie)', 'until logout or expiry (staffSessionHours, TTL)'),
  F('auth-fail:{id}', 'kv', 'src/store/auth-failures.ts', false, 'how many staff sign-ins a client (a hash of its address) got refused in the current window', 'staffAuthLimit.windowMinutes (TTL)'),
  F('audit-entry:{f}:{id}', 'kv', 'src/store/audit.ts', false, 'a staff action: who (token name), when, what, facility, target ids', 'auditDays', 'auditDays'),
  F('audit:{f}', 'zset', 'src/store/audit.ts', false, 'audit entries by time', 'auditDays', 'auditDays'),

  // housekeeping
  F('ready-probe:{*}', 'kv', 'src/store/probe.ts', false, "readiness's write/read/delete check", 'deleted at once (1 minute TTL)'),
  F('retention-sweep', 'claim', 'src/store/retention.ts', false, 'one instance sweeps at a time', 'while sweeping (TTL)'),
  F('{*}', 'lock', 'src/store/locks.ts', false, 'per-conversation/contact/appointment locks (Redis only; in-process otherwise)', 'seconds (TTL)'),
  F('{*}', 'bullmq', 'src/jobs/bullmq.ts', true, 'with `redis`: BullMQ job hashes (payloads as above), under `frontdesk-<ns>:`', 'done jobs 7 days, failed jobs 30 days'),
];

const SEGMENT = '[^:]+';
const FACILITY = '[a-z0-9][a-z0-9-]*';

function toRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\{f\}|\{id\}|\{\*\})/)
    .map((part) => (part === '{f}' ? FACILITY : part === '{id}' ? SEGMENT : part === '{*}' ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

const compiled = KEY_FAMILIES.map((f) => ({ family: f, re: toRegExp(f.pattern) }));

/** the family a stored key (without the namespace) belongs to, for that kind of storage */
export function familyOf(key: string, kind: KeyKind): KeyFamily | undefined {
  // the most specific pattern wins (longest literal part), so `attention:item:…` is not `attention:{f}`
  let best: { family: KeyFamily; literal: number } | undefined;
  for (const { family, re } of compiled) {
    if (family.kind !== kind || !re.test(key)) continue;
    const literal = family.pattern.replace(/\{f\}|\{id\}|\{\*\}/g, '').length;
    if (!best || literal > best.literal) best = { family, literal };
  }
  return best?.family;
}

/**
 * The key builders the repositories, the privacy operations and the sweeper use (the send records' and the
 * job queue's repositories take a namespace, `outbox` and `jobs` by default, and build their own).
 */
export const K = {
  contact: (f: string, id: string) => `contact:${f}:${id}`,
  contactMergedPrefix: (f: string) => `contact-merged:${f}:`,
  contactChannel: (f: string, channel: string, userId: string) => `contact-ch:${f}:${channel}:${userId}`,
  contactPhone: (f: string, e164: string) => `contact-phone:${f}:${e164}`,
  contactVerifiedPhone: (f: string, e164: string) => `contact-vphone:${f}:${e164}`,
  contactPid: (f: string, pid: string) => `contact-pid:${f}:${pid}`,
  contacts: (f: string) => `contacts:${f}`,
  appt: (f: string, id: string) => `appt:${f}:${id}`,
  apptAlias: (f: string, id: string) => `appt-alias:${f}:${id}`,
  apptDay: (f: string, day: string) => `appt-day:${f}:${day}`,
  apptContact: (f: string, contactId: string) => `appt-contact:${f}:${contactId}`,
  apptPid: (f: string, pid: string) => `appt-pid:${f}:${pid}`,
  conv: (f: string, contactId: string) => `conv:${f}:${contactId}`,
  turn: (f: string, contactId: string) => `engine:turn:${f}:${contactId}`,
  push: (f: string, contactId: string) => `engine:push:${f}:${contactId}`,
  survey: (f: string, contactId: string) => `survey:${f}:${contactId}`,
  surveys: (f: string) => `surveys:${f}`,
  mirrorRefreshed: (f: string, contactId: string) => `engine:mirror-refreshed:${f}:${contactId}`,
  inboxItem: (f: string, key: string) => `inbox:item:${f}:${key}`,
  inboxQueue: (f: string, contactId: string) => `inbox:q:${f}:${contactId}`,
  inboxPending: 'inbox:pending',
  inboxPendingMember: (f: string, contactId: string) => JSON.stringify([f, contactId]),
  attentionItem: (f: string, id: string) => `attention:item:${f}:${id}`,
  attention: (f: string) => `attention:${f}`,
  ticket: (f: string, id: string) => `ticket:${f}:${id}`,
  tickets: (f: string) => `tickets:${f}`,
  ticketOpen: (f: string, contactId: string) => `ticket-open:${f}:${contactId}`,
  sendRecord: (id: string) => `outbox:rec:${id}`,
  undeliverable: (f: string) => `outbox:undeliverable:${f}`,
  batch: (id: string) => `outbox:batch:${id}`,
  order: (f: string, channel: string, userId: string) => `outbox:order:${f}:${channel}:${userId}`,
  job: (id: string) => `jobs:job:${id}`,
  jobsDue: 'jobs:due',
  broadcast: (id: string) => `broadcast:${id}`,
  broadcastClaim: (id: string) => `broadcast-claim:${id}`,
  staffSession: (hash: string) => `staff-session:${hash}`,
  authFailures: (hash: string) => `auth-fail:${hash}`,
  broadcasts: (f: string) => `broadcasts:${f}`,
  auditEntry: (f: string, id: string) => `audit-entry:${f}:${id}`,
  audit: (f: string) => `audit:${f}`,
} as const;

/** the prefixes walked by the sweeper and the erasure */
export const PREFIX = {
  contact: 'contact:',
  conv: 'conv:',
  turn: 'engine:turn:',
  mirrorRefreshed: 'engine:mirror-refreshed:',
  inboxItem: 'inbox:item:',
  inboxQueue: 'inbox:q:',
  attentionItem: 'attention:item:',
  attention: 'attention:',
  tickets: 'tickets:',
  sendRecord: 'outbox:rec:',
  pmid: 'outbox:pmid:',
  undeliverable: 'outbox:undeliverable:',
  batch: 'outbox:batch:',
  order: 'outbox:order:',
  job: 'jobs:job:',
  broadcast: 'broadcast:',
  broadcasts: 'broadcasts:',
  appt: 'appt:',
  patient: 'patient:',
  auditEntry: 'audit-entry:',
} as const;

/** how long the embedded queue keeps a finished job's record (src/jobs/embedded.ts `retentionMs`) */
export const JOB_RECORD_TTL_MS = 30 * 24 * 3600_000;
export const DAY_MS = 24 * 3600_000;
