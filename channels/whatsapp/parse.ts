import type { DeliveryReceipt } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { normalizePhone } from '../../src/core/phone.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import type { SharedContact, WebhookContact, WhatsAppFacility } from './types.js';

/** The facilities that configured WhatsApp, each with its number's block. */
export const whatsappNumbers = (facilities: readonly FacilityConfig[]): WhatsAppFacility[] =>
  facilities.flatMap((f) => (f.channels.whatsapp ? [{ id: f.id, config: f.channels.whatsapp, country: f.country }] : []));

// ───────────────────────────── addresses ─────────────────────────────

const WA_ID = /^\d{6,15}$/;
/** a business-scoped user id: two-letter country, a dot, then up to 128 alphanumerics (parent BSUIDs add `ENT.`) */
const BSUID = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

/**
 * Our address for a WhatsApp user: the E.164 form of their `wa_id` (`16505551234` → `+16505551234`), the same
 * string a verified phone and the SMS channel use, or, for a user whose number Meta withholds (usernames, 2026),
 * their business-scoped user id as it came.
 */
export function addressOf(waId: unknown, userId?: unknown): string | undefined {
  if (typeof waId === 'string' && WA_ID.test(waId)) return `+${waId}`;
  if (typeof userId === 'string' && BSUID.test(userId)) return userId;
  return undefined;
}

/** How the Messages API names the recipient at an address: `to` (phone digits) or `recipient` (a BSUID). */
export function sendTarget(address: string): { to: string } | { recipient: string } {
  const digits = address.startsWith('+') ? address.slice(1) : address;
  return WA_ID.test(digits) ? { to: digits } : { recipient: address };
}

// ───────────────────────────── envelope ─────────────────────────────

/** One `messages` change, its items still unread. */
export interface MessagesChangeRef {
  phoneNumberId: string;
  contacts: unknown[];
  messages: unknown[];
  statuses: unknown[];
}

export interface Envelope {
  /** the `messages` changes in delivery order (other fields are dropped) */
  changes: MessagesChangeRef[];
}

/** How many problems an envelope error names; the rest are only counted. */
const SHOWN_ISSUES = 3;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The batch's outer shape: `{object: "whatsapp_business_account", entry: [{id, changes: [{field, value}]}]}`, with
 * every `messages` change naming `messaging_product: "whatsapp"` and its `metadata.phone_number_id`. Items are read
 * tolerantly later. The error names the first few problems and counts the rest, so it stays small however wrong the body.
 */
export function readEnvelope(rawBody: Buffer): Result<Envelope, string> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return err('body is not JSON');
  }
  const shown: string[] = [];
  let more = 0;
  const issue = (path: string, message: string) => {
    if (shown.length < SHOWN_ISSUES) shown.push(`${path} ${message}`);
    else more += 1;
  };
  const changes: MessagesChangeRef[] = [];
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v as unknown[];
    issue(path, 'expected an array');
    return [];
  };
  if (!isObj(json)) issue('(root)', 'expected an object');
  else {
    if (json.object !== 'whatsapp_business_account') issue('object', 'expected "whatsapp_business_account"');
    const entries = json.entry;
    if (!Array.isArray(entries) || entries.length === 0) issue('entry', 'expected a non-empty array');
    else {
      entries.forEach((e: unknown, i) => {
        if (!isObj(e)) return issue(`entry.${i}`, 'expected an object');
        if (!Array.isArray(e.changes)) return issue(`entry.${i}.changes`, 'expected an array');
        (e.changes as unknown[]).forEach((c: unknown, j) => {
          const at = `entry.${i}.changes.${j}`;
          if (!isObj(c) || typeof c.field !== 'string') return issue(at, 'expected an object with a field name');
          if (c.field !== 'messages') return; // account_update, template status, user_preferences …: not ours to act on
          const v = c.value;
          if (!isObj(v)) return issue(`${at}.value`, 'expected an object');
          if (v.messaging_product !== 'whatsapp') issue(`${at}.value.messaging_product`, 'expected "whatsapp"');
          const id = isObj(v.metadata) ? v.metadata.phone_number_id : undefined;
          if (typeof id !== 'string' || !/^\d{1,32}$/.test(id)) return issue(`${at}.value.metadata.phone_number_id`, 'expected a phone number id');
          changes.push({
            phoneNumberId: id,
            contacts: list(v.contacts, `${at}.value.contacts`),
            messages: list(v.messages, `${at}.value.messages`),
            statuses: list(v.statuses, `${at}.value.statuses`),
          });
        });
      });
    }
  }
  if (shown.length > 0) return err(`not a WhatsApp webhook: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  return ok({ changes });
}

// ───────────────────────────── items ─────────────────────────────

/** Meta's times are strings of seconds; a number (or milliseconds) is read too. */
function toIso(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n < 1e12 ? n * 1000 : n).toISOString();
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export interface ChangeContext {
  facilityId: string;
  /** ISO 3166, for a shared contact's number written without a country code */
  country?: string;
  /** the change's `contacts`: who sent its messages */
  contacts: unknown[];
}

/** The profile name WhatsApp gave for a sender, if any (matched by wa_id or BSUID; a lone contact is the sender). */
function displayNameOf(contacts: unknown[], from: unknown, fromUserId: unknown): string | undefined {
  const cs = contacts.filter(isObj) as WebhookContact[];
  const mine = cs.find((c) => (typeof from === 'string' && c.wa_id === from) || (typeof fromUserId === 'string' && c.user_id === fromUserId)) ?? (cs.length === 1 ? cs[0] : undefined);
  return str(mine?.profile?.name);
}

/** The first readable number of a shared contact card, as E.164. */
function sharedPhone(contacts: unknown, country: string | undefined): { phone: string } | { text: string } | undefined {
  if (!Array.isArray(contacts)) return undefined;
  for (const card of contacts as SharedContact[]) {
    for (const p of (isObj(card) && Array.isArray(card.phones) ? card.phones : []).filter(isObj)) {
      const viaWa = typeof p.wa_id === 'string' && WA_ID.test(p.wa_id) ? `+${p.wa_id}` : undefined;
      const written = str(p.phone)?.trim();
      // the one phone reader (src/core/phone.ts); a local number needs the facility's country
      const phone = normalizePhone(viaWa ?? (written && (written.startsWith('+') || country) ? written : undefined), country ?? 'ZZ');
      if (phone) return { phone };
      if (written) return { text: written };
    }
  }
  return undefined;
}

/** Types that are no message of the patient's: never answered. */
const IGNORED = new Set(['reaction', 'system', 'ephemeral', 'revoke', 'edit']);

/**
 * One `messages[]` item → at most one normalized message:
 * - text → `text`; a tapped reply button or list row → `choiceId` (the id we sent) and its title as `text`;
 *   a template quick-reply button → `choiceId` = its `payload` (unless that is only the label echoed back), `text` = the label;
 * - image / video / document → their caption as `text`, if any; audio, sticker, location, order, unsupported and
 *   types added later → a message with no text, so the flow can say it reads text only;
 * - a shared contact card → its number as `phone` (one it cannot read stays text);
 * - `request_welcome` (the chat opened for the first time) → `start`;
 * - reactions, system notices (number changed) and group messages → nothing.
 * An item without an id, a time or a sender is skipped, never fatal.
 */
export function toInbound(ctx: ChangeContext, item: unknown): InboundMessage | undefined {
  if (!isObj(item) || typeof item.type !== 'string') return undefined;
  const id = str(item.id);
  const sentAt = toIso(item.timestamp);
  const user = addressOf(item.from, item.from_user_id);
  if (!id || !sentAt || !user || item.group_id !== undefined || IGNORED.has(item.type)) return undefined;
  const displayName = displayNameOf(ctx.contacts, item.from, item.from_user_id);
  const base: InboundMessage = {
    id,
    facilityId: ctx.facilityId,
    channel: 'whatsapp',
    channelUserId: user,
    sentAt,
    kind: 'message',
    ...(displayName !== undefined ? { displayName } : {}),
  };
  const withText = (text: unknown): InboundMessage => (str(text) !== undefined ? { ...base, text: text as string } : base);

  switch (item.type) {
    case 'text':
      return withText(isObj(item.text) ? item.text.body : undefined);
    case 'interactive': {
      const i = isObj(item.interactive) ? item.interactive : {};
      const reply = i.type === 'button_reply' ? i.button_reply : i.type === 'list_reply' ? i.list_reply : undefined;
      const choiceId = isObj(reply) ? str(reply.id) : undefined;
      if (choiceId === undefined || !isObj(reply)) return base;
      return { ...withText(reply.title), choiceId };
    }
    case 'button': {
      // a template quick reply: `payload` is what the send set on that button; without one Meta echoes the label,
      // which is no id of ours, so it stays the patient's text
      const b = isObj(item.button) ? item.button : {};
      const payload = str(b.payload);
      return payload !== undefined && payload !== b.text ? { ...withText(b.text), choiceId: payload } : withText(b.text ?? payload);
    }
    case 'image':
    case 'video':
    case 'document': {
      const media = item[item.type];
      return withText(isObj(media) ? media.caption : undefined);
    }
    case 'contacts': {
      const shared = sharedPhone(item.contacts, ctx.country);
      return shared ? { ...base, ...shared } : base;
    }
    case 'request_welcome':
      return { ...base, kind: 'start' };
    default:
      // audio, sticker, location, order, unsupported, and any type Meta adds later: the patient sent something we
      // cannot read; the flow answers that it reads text only
      return base;
  }
}

/**
 * One `statuses[]` item → a receipt: the `wamid` we sent, Meta's own word (`sent`, `delivered`, `read`, `failed`,
 * `played`), its time, and for a failure the first error's code (131047 outside the window, 131026 undeliverable,
 * 131050 the user stopped marketing messages …).
 */
export function toReceipt(ctx: ChangeContext, item: unknown): DeliveryReceipt | undefined {
  if (!isObj(item)) return undefined;
  const platformMessageId = str(item.id);
  const status = str(item.status);
  const at = toIso(item.timestamp);
  if (!platformMessageId || !status || !at) return undefined;
  const errors = Array.isArray(item.errors) ? (item.errors as unknown[]).filter(isObj) : [];
  const code = errors.map((e) => e.code).find((c) => typeof c === 'number' || (typeof c === 'string' && c.length > 0));
  const user = addressOf(item.recipient_id, item.recipient_user_id);
  return {
    facilityId: ctx.facilityId,
    channel: 'whatsapp',
    platformMessageId,
    status,
    at,
    ...(code !== undefined ? { errorCode: String(code) } : {}),
    ...(user !== undefined ? { channelUserId: user } : {}),
  };
}
