import { DateTime } from 'luxon';
import { facilityConfig, type FacilityConfig } from '../../src/config/schema.js';
import type { Calendar, LocaleCode, ProviderClient, Reply } from '../../src/core/index.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { machineWithSlots } from '../../src/engine/actor-slots.js';
import { TURN_ACTOR_NAMES, turnActors } from '../../src/engine/actors.js';
import { recordAppointmentChange } from '../../src/engine/appointments.js';
import { applyContactPatch } from '../../src/engine/contact.js';
import { runFlowTurn } from '../../src/engine/turn.js';
import { renderReply } from '../../src/i18n/index.js';
import { attachBooking, markBooked } from '../../src/identity/booking.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import type { ConversationContext } from '../../flows/context.js';
import { conversationMachine } from '../../flows/conversation.js';
import type { ConversationInput, FlowContact, FlowEmitted, FlowEvent, FlowFacility, FlowPerson, MessageDescriptor } from '../../flows/protocol.js';

export interface ChatOptions {
  facility: FlowFacility;
  contact: FlowContact;
  calendars: Calendar[];
  /**
   * The hospital's system (a FakeProvider, or the real client over the sandbox). Each message is one
   * production turn: src/engine/turn.ts runs the machine with the actors of src/engine/actors.ts over it
   * and an in-memory store, and the turn's contact and appointment changes are written as the engine does.
   */
  provider: ProviderClient;
  /** ISO instant of the first message; each send advances the clock by `stepMinutes` (default 1) */
  startAt: string;
  stepMinutes?: number;
  /** a persisted snapshot to resume from */
  snapshot?: unknown;
  /** how long one turn may take to settle (default 10 s) */
  turnTimeoutMs?: number;
}

export interface RenderedReply extends Reply {
  key: string;
  locale: LocaleCode;
  descriptor: MessageDescriptor;
}

export type Matcher = RegExp | string | ((r: RenderedReply) => boolean | void);
export type Outgoing = string | { choiceId: string } | { phone: string; text?: string } | { start: true };

type ContactPatch = Extract<FlowEmitted, { type: 'contact.patch' }>['patch'];

/** One store for every chat of this process (in memory); each chat is a facility of its own in it. */
let sharedStore: Promise<OpenedStore> | undefined;
let worlds = 0;

/** What the engine would know of the facility (no SMS: a one-time code cannot go out, as on a facility without SMS). */
function facilityConfigOf(f: FlowFacility, storeId: string): FacilityConfig {
  return facilityConfig.parse({
    id: storeId,
    name: f.name,
    timezone: f.timezone,
    locale: f.locale,
    country: f.country,
    rescheduleCutoffHours: f.cutoffHours,
    askNationalId: f.askNationalId,
    ...(f.staffContact ? { staffContact: f.staffContact } : {}),
    ...(f.privacyNoticeUrl ? { privacyNoticeUrl: f.privacyNoticeUrl } : {}),
    provider: { baseUrl: 'sandbox', userId: 'transcript', apiKey: 'transcript', webhookSecret: 'whsec_dHJhbnNjcmlwdA==' },
  });
}

/** The contact as the engine reads it at the next turn, after a contact.patch (./src/engine/contact.ts applyContactPatch). */
function patchFlowContact(c: FlowContact, patch: ContactPatch): FlowContact {
  const { consent, phoneVerified: _v, people: _p, selfRef: _s, patientId: _i, ...fields } = patch;
  const next: FlowContact = { ...c };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  if (fields.phone && fields.phone !== c.phone) next.phoneVerified = false;
  if (consent === true) next.consent = true;
  if (consent === false) delete next.consent;
  return next;
}

/**
 * The store side of a chat: the contact and the patients it is verified for (what the production actors
 * read), and the engine's effects of each turn (what `applyTurn` in src/engine/index.ts writes).
 */
class TranscriptWorld {
  readonly outbox: OutboundMessage[] = [];

  private constructor(
    readonly store: OpenedStore,
    readonly facility: FacilityConfig,
    readonly contactId: string,
    private readonly provider: ProviderClient,
  ) {}

  static async open(opts: ChatOptions, provider: ProviderClient): Promise<TranscriptWorld> {
    const store = await (sharedStore ??= openStore('sqlite::memory:', { namespace: 'transcripts' }));
    const facility = facilityConfigOf(opts.facility, `${opts.facility.id}-t${++worlds}`);
    const contactId = await seedContact(store, facility.id, opts.contact, opts.startAt);
    return new TranscriptWorld(store, facility, contactId, provider);
  }

  /** the production actors of one turn (the inbox key and the clock of its message) */
  actorsFor(channel: FlowContact['channel'], messageId: string, at: string) {
    return turnActors({
      store: this.store,
      provider: this.provider,
      facilityId: this.facility.id,
      contactId: this.contactId,
      turnKey: `${channel}:${messageId}`,
      now: () => new Date(at),
      // every read of "my appointments" asks the provider: what a test seeds there between messages is seen
      mirrorMaxAgeMs: 0,
      facility: this.facility,
      channel,
      deliver: async (msgs) => {
        this.outbox.push(...msgs);
      },
      render: renderReply,
    });
  }

  /** the turn's changes, written as the engine writes them once the turn is committed */
  async apply(emitted: FlowEmitted[], replacedIds: Map<string, string>, at: string): Promise<void> {
    const { store, contactId } = this;
    const facilityId = this.facility.id;
    for (const e of emitted) {
      if (e.type === 'contact.patch') await store.contacts.update(facilityId, contactId, (c) => applyContactPatch(c, e.patch, at));
      if (e.type !== 'appointment.changed') continue;
      const previousId = replacedIds.get(e.appointment.appointmentId);
      await recordAppointmentChange(store, facilityId, contactId, { action: e.action, appointment: e.appointment, confirmedLocally: e.confirmedLocally, ...(previousId ? { previousId } : {}), ...(e.subject ? { subject: e.subject } : {}) });
      const contact = e.action === 'created' ? await store.contacts.get(facilityId, contactId) : undefined;
      if (contact) await markBooked(store, facilityId, e.appointment.appointmentId, await attachBooking(store, facilityId, this.facility.country, contact, e.appointment, e.subject, at), contactId);
    }
  }
}

/** The test's contact in the store: its details, and the patient records it is linked to (verified or not). */
async function seedContact(store: OpenedStore, facilityId: string, flow: FlowContact, at: string): Promise<string> {
  const created = await store.contacts.ensureForChannelUser(facilityId, flow.channel, flow.channel === 'sms' && flow.phone ? flow.phone : flow.id);
  const { name, dob, phone, gender, nationalId, email, locale } = flow;
  const fields = Object.fromEntries(Object.entries({ name, dob, phone, gender, nationalId, email, locale }).filter(([, v]) => v !== undefined));
  const contact = await store.contacts.update(facilityId, created.id, (c) => ({
    ...c,
    ...fields,
    ...(flow.consent ? { consentAt: at } : {}),
    ...(flow.phoneVerified && phone ? { phoneVerifiedAt: at, phoneVerifiedBy: 'code' as const } : {}),
  }));
  const self: FlowPerson | undefined = flow.patientId ? { ref: 'self', name: name ?? '', relationship: 'self', verified: true, patientId: flow.patientId, ...(dob ? { dob } : {}), ...(gender ? { gender } : {}) } : undefined;
  for (const p of [...(self ? [self] : []), ...(flow.people ?? [])]) await seedPerson(store, facilityId, contact.id, p, at);
  return contact.id;
}

async function seedPerson(store: OpenedStore, facilityId: string, contactId: string, p: FlowPerson, at: string): Promise<void> {
  const [firstTemp, ...moreTemps] = p.temporaryPatientIds ?? [];
  const ids = { ...(p.patientId ? { patientId: p.patientId } : {}), ...(firstTemp ? { temporaryPatientId: firstTemp } : {}) };
  let patient = await store.patients.ensure(facilityId, ids, { name: p.name, ...(p.dob ? { dob: p.dob } : {}), ...(p.gender ? { gender: p.gender } : {}) });
  if (moreTemps.length) patient = (await store.patients.update(facilityId, patient.id, (x) => ({ ...x, temporaryPatientIds: [...(x.temporaryPatientIds ?? []), ...moreTemps] }))).patient;
  await store.patients.link(facilityId, patient.id, { contactId, relationship: p.relationship, verified: p.verified, how: 'staff', since: at, ...(p.consent ? { consentAt: at } : {}) });
}

/**
 * A conversation under test, botbuilder TestAdapter style:
 *   await chat.send('book').expect(/which doctor/i).choose(/Dr. Cruz/).expect(...)
 * Each step runs after the previous one; the chain is awaitable. Each message is one turn of the
 * production engine path (src/engine/turn.ts): the snapshot is resumed, the event sent, the turn waited
 * for, and the persisted snapshot kept as JSON, as the engine stores it between turns.
 */
export class Chat {
  readonly replies: RenderedReply[] = [];
  readonly emitted: FlowEmitted[] = [];
  /** the persisted snapshot after the last turn (JSON-shaped, as the store holds it) */
  snapshot: unknown;
  private contact: FlowContact;
  private cursor = 0;
  private clock: DateTime;
  private seq = 0;
  private locale: LocaleCode;
  private chain: Promise<void> = Promise.resolve();
  private world?: Promise<TranscriptWorld>;

  constructor(readonly opts: ChatOptions) {
    this.clock = DateTime.fromISO(opts.startAt, { setZone: true });
    this.locale = opts.contact.locale ?? opts.facility.locale;
    this.contact = opts.contact;
    this.snapshot = opts.snapshot === undefined ? undefined : JSON.parse(JSON.stringify(opts.snapshot));
  }

  /** what the engine gives the machine each turn: the facility, the contact as it is now, the calendars */
  get input(): ConversationInput {
    return { facility: this.opts.facility, contact: this.contact, calendars: this.opts.calendars };
  }

  /** the one-time codes and other messages the actors sent through the outbox */
  async outbox(): Promise<OutboundMessage[]> {
    return this.world ? (await this.world).outbox : [];
  }

  private record(e: FlowEmitted): void {
    this.emitted.push(e);
    if (e.type === 'contact.patch' && e.patch.locale) this.locale = e.patch.locale;
    if (e.type === 'reply') {
      const locale = e.locale ?? this.locale;
      this.replies.push({ ...renderReply(e.message, locale, this.opts.facility.timezone), key: e.message.key, locale, descriptor: e.message });
    }
  }

  private step(fn: () => Promise<void> | void): this {
    this.chain = this.chain.then(fn);
    return this;
  }

  /** The clock of the next message. */
  now(): string {
    return this.clock.toISO()!;
  }

  /** Moves the clock (e.g. to the day before an appointment). */
  setClock(iso: string): this {
    return this.step(() => {
      this.clock = DateTime.fromISO(iso, { setZone: true });
    });
  }

  private eventOf(out: Outgoing, at: string, messageId: string): FlowEvent {
    if (typeof out === 'object' && 'start' in out) return { type: 'user.start', at, messageId };
    if (typeof out === 'string') return { type: 'user.message', text: out, at, messageId };
    return { type: 'user.message', ...out, at, messageId };
  }

  /** One turn: what src/engine/index.ts does for an inbound message, from the flow's input to the turn's effects. */
  private async deliver(out: Outgoing): Promise<void> {
    const at = this.clock.toISO()!;
    this.clock = this.clock.plus({ minutes: this.opts.stepMinutes ?? 1 });
    const messageId = `m${++this.seq}`;
    const world = await (this.world ??= TranscriptWorld.open(this.opts, this.opts.provider));
    const turn = world.actorsFor(this.contact.channel, messageId, at);
    const result = await runFlowTurn({
      machine: machineWithSlots(conversationMachine, TURN_ACTOR_NAMES),
      calls: turn.actors,
      input: this.input,
      snapshot: this.snapshot,
      event: this.eventOf(out, at, messageId),
      timeoutMs: this.opts.turnTimeoutMs ?? 10_000,
    });
    if (!result.ok) throw new Error(`the turn of message ${messageId} failed (${result.reason}): ${String(result.error)}`);
    for (const e of result.emitted) {
      this.record(e);
      if (e.type === 'contact.patch') this.contact = patchFlowContact(this.contact, e.patch);
    }
    await world.apply(result.emitted, turn.replacedIds, at);
    // the engine deletes an erased contact's conversation; any other is stored (as JSON) for the next turn
    this.snapshot = result.emitted.some((e) => e.type === 'contact.erase') ? undefined : JSON.parse(JSON.stringify(result.snapshot));
  }

  start(): this {
    return this.step(() => this.deliver({ start: true }));
  }

  send(out: Outgoing): this {
    return this.step(() => this.deliver(out));
  }

  /** Taps the choice of the latest reply with choices whose label (or id) matches. */
  choose(label: RegExp | string): this {
    return this.step(async () => {
      const withChoices = [...this.replies].reverse().find((r) => r.choices?.length);
      const choice = withChoices?.choices?.find((c) => (typeof label === 'string' ? c.label === label || c.id === label : label.test(c.label) || label.test(c.id)));
      if (!choice) throw new Error(`no choice matching ${String(label)} in ${JSON.stringify(withChoices?.choices?.map((c) => c.label))}`);
      await this.deliver({ choiceId: choice.id });
    });
  }

  /** Asserts the next unread reply matches (regexp or text on its text, or a predicate). */
  expect(matcher: Matcher): this {
    return this.step(() => {
      const r = this.replies[this.cursor];
      if (!r) throw new Error(`expected a reply matching ${String(matcher)}, got none (all: ${JSON.stringify(this.replies.map((x) => x.text))})`);
      this.cursor++;
      const okay = typeof matcher === 'string' ? r.text.includes(matcher) : matcher instanceof RegExp ? matcher.test(r.text) : matcher(r) !== false;
      if (!okay) throw new Error(`reply ${this.cursor} ${JSON.stringify(r.text)} (${r.key}) does not match ${String(matcher)}`);
    });
  }

  /** Asserts the next unread reply has this message key. */
  expectKey(key: string): this {
    return this.expect((r) => {
      if (r.key !== key) throw new Error(`reply ${JSON.stringify(r.text)} has key ${r.key}, expected ${key}`);
    });
  }

  /** Skips unread replies up to and including the first that matches. */
  expectEventually(matcher: Matcher): this {
    return this.step(() => {
      while (this.cursor < this.replies.length) {
        const r = this.replies[this.cursor++]!;
        const okay = typeof matcher === 'string' ? r.text.includes(matcher) : matcher instanceof RegExp ? matcher.test(r.text) : matcher(r) !== false;
        if (okay) return;
      }
      throw new Error(`no reply matching ${String(matcher)} in ${JSON.stringify(this.replies.map((x) => x.text))}`);
    });
  }

  /** Asserts nothing was said since the last expectation. */
  expectSilence(): this {
    return this.step(() => {
      if (this.cursor < this.replies.length) throw new Error(`unexpected reply ${JSON.stringify(this.replies[this.cursor]!.text)}`);
    });
  }

  /** Skips every unread reply. */
  skip(): this {
    return this.step(() => {
      this.cursor = this.replies.length;
    });
  }

  /** Runs an assertion in order with the chain. */
  check(fn: (chat: Chat) => void | Promise<void>): this {
    return this.step(() => fn(this));
  }

  /**
   * Resumes from the stored snapshot, as the engine does between turns. Every turn already does (each
   * message restores the JSON snapshot on a fresh actor), so this only marks the point in a transcript.
   */
  restart(): this {
    return this.step(() => {
      this.snapshot = this.snapshot === undefined ? undefined : JSON.parse(JSON.stringify(this.snapshot));
    });
  }

  lastReply(): RenderedReply | undefined {
    return this.replies.at(-1);
  }

  stateValue(): unknown {
    return (this.snapshot as { value?: unknown } | undefined)?.value;
  }

  /** The machine's context after the last turn. */
  context(): ConversationContext {
    const context = (this.snapshot as { context?: ConversationContext } | undefined)?.context;
    if (!context) throw new Error('no conversation yet: send a message first');
    return context;
  }

  then<T1 = void, T2 = never>(onfulfilled?: ((value: void) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    const p = this.chain;
    this.chain = Promise.resolve();
    return p.then(onfulfilled, onrejected);
  }
}

export const createChat = (opts: ChatOptions): Chat => new Chat(opts);
