import { randomUUID } from 'node:crypto';
import { compact } from '../core/compact.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { PHONE_CHANNEL, type ChannelName, type Contact } from '../core/domain.js';
import { upgradeContact, type LegacyContact } from './migrations/contact-channels.js';
import type { Logger } from '../log.js';
import { StoreError } from './errors.js';
import type { ContactRepo, Indexes, KeyValue, Locks } from './types.js';

/**
 * Key layout (all under the backend's namespace):
 *  kv      contact:<f>:<id>                 the record
 *  kv      contact-merged:<f>:<id>          id of the contact a merged one went into
 *  claim   contact-ch:<f>:<channel>:<user>  unique: channel address → contact id
 *  claim   contact-vphone:<f>:<e164>        unique: a phone → the contact that proved it (SMS from it, or a code)
 *  zset    contacts:<f>                     every contact of the facility (score: createdAt)
 * A phone a contact merely typed is no key at all: it routes nothing and claims nothing.
 * Unique lookups are claims, so "who owns this address" is decided atomically by the backend.
 */
const recordKey = (f: string, id: string) => `contact:${f}:${id}`;
const mergedKey = (f: string, id: string) => `contact-merged:${f}:${id}`;
const channelKey = (f: string, channel: ChannelName, userId: string) => `contact-ch:${f}:${channel}:${userId}`;
const phoneKey = (f: string, e164: string) => `contact-vphone:${f}:${e164}`;
/** the previous version's phone claim (typed phones included): released by the identity migration */
export const legacyPhoneKey = (f: string, e164: string) => `contact-phone:${f}:${e164}`;
const listSet = (f: string) => `contacts:${f}`;

/** how long a loser of a creation race keeps re-reading for the winner's record */
const WINNER_READ_ATTEMPTS = 20;

export const channelAddress = (c: Contact, channel: ChannelName): string | undefined => c.channels?.[channel]?.userId;

/** gives the contact an address on a channel; an address on the phone channel is the contact's proved phone */
function withChannel(c: Contact, channel: ChannelName, userId: string): Contact {
  const next: Contact = { ...c, channels: { ...c.channels, [channel]: { ...c.channels?.[channel], userId } } };
  if (channel !== PHONE_CHANNEL || (c.phoneVerifiedAt && c.phone !== userId)) return next;
  // what we send there reaches only whoever holds that phone
  return { ...next, phone: userId, phoneVerifiedAt: c.phoneVerifiedAt ?? new Date().toISOString(), phoneVerifiedBy: c.phoneVerifiedBy ?? PHONE_CHANNEL };
}

function uniqueKeys(c: Contact): string[] {
  const keys = new Set<string>();
  for (const [ch, state] of Object.entries(c.channels ?? {})) if (state?.userId) keys.add(channelKey(c.facilityId, ch as ChannelName, state.userId));
  if (c.phone && c.phoneVerifiedAt) keys.add(phoneKey(c.facilityId, c.phone));
  return [...keys];
}

const score = (c: Contact) => Date.parse(c.createdAt) || 0;

/** `into` keeps what it has; `from` fills the gaps (a verified phone beats a typed one). */
export function mergeContacts(into: Contact, from: Contact, now: string): Contact {
  const merged: Contact = { ...from, ...compact(into) };
  if (!into.phoneVerifiedAt && from.phoneVerifiedAt) {
    merged.phone = from.phone;
    merged.phoneVerifiedAt = from.phoneVerifiedAt;
    merged.phoneVerifiedBy = from.phoneVerifiedBy;
  }
  // each channel's state: `into`'s where it has one, `from`'s elsewhere
  if (into.channels || from.channels) merged.channels = { ...from.channels, ...into.channels };
  merged.id = into.id;
  merged.createdAt = into.createdAt < from.createdAt ? into.createdAt : from.createdAt;
  merged.updatedAt = now;
  return merged;
}


export class ContactStore implements ContactRepo {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
    private readonly locks: Locks,
    private readonly logger?: Logger,
  ) {}

  /** follows merges, so an id handed out before a merge still reaches the person */
  async get(facilityId: string, id: string): Promise<Contact | undefined> {
    let current = id;
    for (let hop = 0; hop < 8; hop++) {
      const c = await this.read(recordKey(facilityId, current));
      if (c) return c;
      const next = await this.kv.get<string>(mergedKey(facilityId, current));
      if (!next) return undefined;
      current = next;
    }
    return undefined;
  }

  async byChannelUser(facilityId: string, channel: ChannelName, userId: string): Promise<Contact | undefined> {
    return this.byClaim(facilityId, channelKey(facilityId, channel, userId));
  }

  async byVerifiedPhone(facilityId: string, e164: string): Promise<Contact | undefined> {
    const c = await this.byClaim(facilityId, phoneKey(facilityId, e164));
    return c?.phoneVerifiedAt && c.phone === e164 ? c : undefined;
  }

  async ensureForChannelUser(facilityId: string, channel: ChannelName, userId: string, init?: Partial<Contact>): Promise<Contact> {
    const existing = await this.byChannelUser(facilityId, channel, userId);
    if (existing) return existing;
    if (channel === PHONE_CHANNEL) {
      // the number was proved by a chat contact's code: its texts are that contact's
      const holder = await this.byVerifiedPhone(facilityId, userId);
      if (holder) return this.update(facilityId, holder.id, (c) => withChannel(c, PHONE_CHANNEL, userId));
    }
    const draft = withChannel(this.draft(facilityId, { lastChannel: channel, ...init }), channel, userId);
    const contact = await this.create(draft, channelKey(facilityId, channel, userId));
    if (channelAddress(contact, channel) === userId) return contact;
    return this.update(facilityId, contact.id, (c) => withChannel(c, channel, userId));
  }

  async ensureForPhone(facilityId: string, e164: string, init?: Partial<Contact>): Promise<Contact> {
    const existing = (await this.byVerifiedPhone(facilityId, e164)) ?? (await this.byChannelUser(facilityId, PHONE_CHANNEL, e164));
    if (existing) return existing;
    const draft = withChannel(this.draft(facilityId, init ?? {}), PHONE_CHANNEL, e164);
    return this.create(draft, channelKey(facilityId, PHONE_CHANNEL, e164));
  }

  async verifyPhone(facilityId: string, id: string, e164: string, how: NonNullable<Contact['phoneVerifiedBy']>, at: string): Promise<{ contact: Contact; heldBy?: string }> {
    const holder = await this.byVerifiedPhone(facilityId, e164);
    if (holder && holder.id !== id) return { contact: (await this.get(facilityId, id))!, heldBy: holder.id };
    const contact = await this.update(facilityId, id, (c) => ({ ...c, phone: e164, phoneVerifiedAt: c.phone === e164 && c.phoneVerifiedAt ? c.phoneVerifiedAt : at, phoneVerifiedBy: how }));
    const now = await this.byVerifiedPhone(facilityId, e164);
    return now && now.id !== contact.id ? { contact, heldBy: now.id } : { contact };
  }

  async update(facilityId: string, id: string, fn: (c: Contact) => Contact | void): Promise<Contact> {
    const target = (await this.get(facilityId, id))?.id ?? id;
    return this.locks.withLock(lockKey(facilityId, target), async () => {
      const current = await this.read(recordKey(facilityId, target));
      if (!current) throw new StoreError('not_found', 'contact not found');
      const draft = structuredClone(current);
      const next: Contact = { ...(fn(draft) ?? draft), id: target, facilityId, updatedAt: new Date().toISOString() };
      await this.kv.set(recordKey(facilityId, target), next);
      await this.reindex(current, next);
      return next;
    });
  }

  async merge(facilityId: string, intoId: string, fromId: string): Promise<Contact> {
    const [first, second] = [intoId, fromId].sort();
    return this.locks.withLock(lockKey(facilityId, first!), () =>
      this.locks.withLock(lockKey(facilityId, second!), async () => {
        const into = await this.read(recordKey(facilityId, intoId));
        if (!into) throw new StoreError('not_found', 'merge target contact not found');
        if (intoId === fromId) return into;
        const from = await this.read(recordKey(facilityId, fromId));
        if (!from) throw new StoreError('not_found', 'merged contact not found');
        const merged = mergeContacts(into, from, new Date().toISOString());
        await this.kv.set(mergedKey(facilityId, fromId), intoId);
        await this.kv.delete(recordKey(facilityId, fromId));
        await this.removeFromIndexes(from);
        await this.kv.set(recordKey(facilityId, intoId), merged);
        await this.reindex(into, merged);
        return merged;
      }),
    );
  }

  async list(facilityId: string): Promise<Contact[]> {
    const out: Contact[] = [];
    for (const id of await this.indexes.members(listSet(facilityId))) {
      const c = await this.read(recordKey(facilityId, id));
      if (c) out.push(c);
    }
    return out;
  }

  /** a record as stored, in today's shape (records from before per-channel state are read as it) */
  private async read(key: string): Promise<Contact | undefined> {
    const raw = await this.kv.get<Contact | LegacyContact>(key);
    return raw ? upgradeContact(raw) : undefined;
  }

  private draft(facilityId: string, init: Partial<Contact>): Contact {
    const now = new Date().toISOString();
    return { ...init, id: randomUUID(), facilityId, createdAt: now, updatedAt: now };
  }

  private async byClaim(facilityId: string, key: string): Promise<Contact | undefined> {
    const id = await this.indexes.claimedBy(key);
    return id ? this.read(recordKey(facilityId, id)) : undefined;
  }

  /**
   * Exactly one creator wins `decisive`. The record is written before the claim, so a loser normally
   * finds the winner's record at once; it still re-reads briefly (the winner may be a stale holder
   * being replaced) and takes over a claim whose record is gone for good.
   */
  private async create(draft: Contact, decisive: string, attempt = 0): Promise<Contact> {
    const f = draft.facilityId;
    await this.kv.set(recordKey(f, draft.id), draft);
    if (await this.indexes.claim(decisive, draft.id)) {
      await this.reindex(undefined, draft);
      return draft;
    }
    await this.kv.delete(recordKey(f, draft.id));
    let holder: string | undefined;
    for (let i = 0; i < WINNER_READ_ATTEMPTS; i++) {
      holder = await this.indexes.claimedBy(decisive);
      if (holder) {
        const winner = await this.read(recordKey(f, holder));
        if (winner) return winner;
      }
      await sleep(5 * (i + 1));
    }
    if (attempt >= 3) throw new StoreError('claim_stuck', 'contact unique index is held by a contact that never appeared');
    if (holder) await this.indexes.release(decisive, holder);
    return this.create({ ...draft, id: randomUUID() }, decisive, attempt + 1);
  }

  /** brings every index of `next` in step, dropping what only `prev` had */
  private async reindex(prev: Contact | undefined, next: Contact): Promise<void> {
    const keys = uniqueKeys(next);
    if (prev) for (const key of uniqueKeys(prev)) if (!keys.includes(key)) await this.indexes.release(key, prev.id);
    for (const key of keys) await this.ensureClaim(next, key);
    await this.indexes.add(listSet(next.facilityId), next.id, score(next));
  }

  private async removeFromIndexes(c: Contact): Promise<void> {
    for (const key of uniqueKeys(c)) await this.indexes.release(key, c.id);
    await this.indexes.remove(listSet(c.facilityId), c.id);
  }

  private async ensureClaim(c: Contact, key: string): Promise<void> {
    for (let i = 0; i < 3; i++) {
      if (await this.indexes.claim(key, c.id)) return;
      const holder = await this.indexes.claimedBy(key);
      if (holder === c.id) return;
      if (holder && (await this.kv.get(recordKey(c.facilityId, holder)))) {
        // another live contact owns this address or phone; a merge resolves it
        this.logger?.warn({ contactId: c.id, holderId: holder, index: key.split(':')[0] }, 'contact unique index held by another contact');
        return;
      }
      if (holder) await this.indexes.release(key, holder);
    }
  }
}

export const lockKey = (facilityId: string, contactId: string) => `contact:${facilityId}:${contactId}`;
