import { DateTime } from 'luxon';
import { createActor, waitFor, type ActorRefFrom } from 'xstate';
import type { Calendar, LocaleCode, Reply } from '../../src/core/index.js';
import { renderReply } from '../../src/i18n/index.js';
import { conversationMachine } from '../../flows/conversation.js';
import { BUSY_TAG, type ConversationInput, type FlowContact, type FlowEmitted, type FlowFacility, type MessageDescriptor } from '../../flows/protocol.js';

type Actors = Parameters<typeof conversationMachine.provide>[0]['actors'];
export type ChatActor = ActorRefFrom<typeof conversationMachine>;

export interface ChatOptions {
  facility: FlowFacility;
  contact: FlowContact;
  calendars: Calendar[];
  /** any implementations of the injected actors: a fake provider, or the real sandbox */
  actors: Actors;
  /** ISO instant of the first message; each send advances the clock by `stepMinutes` (default 1) */
  startAt: string;
  stepMinutes?: number;
  /** a persisted snapshot to resume from */
  snapshot?: unknown;
}

export interface RenderedReply extends Reply {
  key: string;
  locale: LocaleCode;
  descriptor: MessageDescriptor;
}

export type Matcher = RegExp | string | ((r: RenderedReply) => boolean | void);
export type Outgoing = string | { choiceId: string } | { phone: string; text?: string } | { start: true };

/**
 * A conversation under test, botbuilder TestAdapter style:
 *   await chat.send('book').expect(/which doctor/i).choose(/Dr. Cruz/).expect(...)
 * Each step runs after the previous one; the chain is awaitable.
 */
export class Chat {
  readonly replies: RenderedReply[] = [];
  readonly emitted: FlowEmitted[] = [];
  actor!: ChatActor;
  private cursor = 0;
  private clock: DateTime;
  private seq = 0;
  private locale: LocaleCode;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly opts: ChatOptions) {
    this.clock = DateTime.fromISO(opts.startAt, { setZone: true });
    this.locale = opts.contact.locale ?? opts.facility.locale;
    this.boot(opts.snapshot);
  }

  get input(): ConversationInput {
    return { facility: this.opts.facility, contact: this.opts.contact, calendars: this.opts.calendars };
  }

  private boot(snapshot?: unknown): void {
    this.actor = createActor(conversationMachine.provide({ actors: this.opts.actors }), {
      input: this.input,
      ...(snapshot ? { snapshot: snapshot as never } : {}),
    });
    this.actor.on('*', (e) => this.record(e as FlowEmitted));
    this.actor.start();
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

  private async deliver(out: Outgoing): Promise<void> {
    const at = this.clock.toISO()!;
    this.clock = this.clock.plus({ minutes: this.opts.stepMinutes ?? 1 });
    const messageId = `m${++this.seq}`;
    if (typeof out === 'object' && 'start' in out) this.actor.send({ type: 'user.start', at, messageId });
    else if (typeof out === 'string') this.actor.send({ type: 'user.message', text: out, at, messageId });
    else this.actor.send({ type: 'user.message', ...out, at, messageId });
    await this.settled();
  }

  /** Resolves when no state waits on an actor (what the engine waits for). */
  async settled(): Promise<void> {
    await waitFor(this.actor, (s) => !s.hasTag(BUSY_TAG) || s.status !== 'active', { timeout: 10_000 });
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

  /** Persists the snapshot as JSON and resumes on a fresh actor, as the engine does between turns. */
  restart(): this {
    return this.step(() => {
      const json = JSON.stringify(this.actor.getPersistedSnapshot());
      this.actor.stop();
      this.boot(JSON.parse(json));
    });
  }

  lastReply(): RenderedReply | undefined {
    return this.replies.at(-1);
  }

  stateValue(): unknown {
    return this.actor.getSnapshot().value;
  }

  then<T1 = void, T2 = never>(onfulfilled?: ((value: void) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    const p = this.chain;
    this.chain = Promise.resolve();
    return p.then(onfulfilled, onrejected);
  }
}

export const createChat = (opts: ChatOptions): Chat => new Chat(opts);
