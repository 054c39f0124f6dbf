import { normalizePhone } from '../../src/core/phone.js';
import type { DeliveryReceipt } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { ClassifiedEvent, DeliveryEvent, MessageEvent, MessagingEvent, PostbackEvent, ReadEvent, ReferralEvent } from './types.js';

/** Payload of the Get Started button (set by `messengerSetupPlan`): a postback with it starts a conversation. */
export const GET_STARTED_PAYLOAD = 'start';

export interface EnvelopeEntry {
  /** the page id (Meta sends a string; a number is read as its digits) */
  id: string;
  time?: number;
  messaging?: unknown[];
  standby?: unknown[];
}
export interface Envelope {
  object: 'page';
  entry: EnvelopeEntry[];
}

/** How many problems an envelope error names; the rest are only counted. */
const SHOWN_ISSUES = 3;

/**
 * The batch's outer shape: `{object: "page", entry: [{id, time, messaging: [...]}, ...]}`. Items are read
 * tolerantly later. One pass over the entries, by hand: the error names the first few problems and counts
 * the others, so it stays small (and quick) however many entries are wrong.
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
  const entry: EnvelopeEntry[] = [];
  if (!isObj(json)) issue('(root)', 'expected an object');
  else {
    if (json.object !== 'page') issue('object', 'expected "page"');
    const entries = json.entry;
    if (!Array.isArray(entries) || entries.length === 0) issue('entry', 'expected a non-empty array');
    else {
      entries.forEach((e: unknown, i) => {
        if (!isObj(e)) return issue(`entry.${i}`, 'expected an object');
        const id = typeof e.id === 'string' && e.id.length > 0 ? e.id : typeof e.id === 'number' && Number.isFinite(e.id) ? String(e.id) : undefined;
        if (id === undefined) issue(`entry.${i}.id`, 'expected a page id');
        if (e.time !== undefined && typeof e.time !== 'number') issue(`entry.${i}.time`, 'expected a number');
        if (e.messaging !== undefined && !Array.isArray(e.messaging)) issue(`entry.${i}.messaging`, 'expected an array');
        if (e.standby !== undefined && !Array.isArray(e.standby)) issue(`entry.${i}.standby`, 'expected an array');
        if (id === undefined) return;
        entry.push({
          id,
          ...(typeof e.time === 'number' ? { time: e.time } : {}),
          ...(Array.isArray(e.messaging) ? { messaging: e.messaging as unknown[] } : {}),
          ...(Array.isArray(e.standby) ? { standby: e.standby as unknown[] } : {}),
        });
      });
    }
  }
  if (shown.length > 0) return err(`not a Messenger page webhook: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  return ok({ object: 'page', entry });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sorts one `messaging` item into what it is. Items we do not understand are `other` (ignored, never fatal). */
export function classify(item: unknown): ClassifiedEvent {
  if (!isObj(item) || !isObj(item.sender) || !isObj(item.recipient)) return { kind: 'other' };
  const { message, postback, referral, delivery, read } = item;
  if (isObj(message) && typeof message.mid === 'string') {
    const event = item as unknown as MessageEvent;
    return message.is_echo === true ? { kind: 'echo', event } : { kind: 'message', event };
  }
  if (isObj(postback) && typeof postback.payload === 'string') return { kind: 'postback', event: item as unknown as PostbackEvent };
  if (isObj(referral)) return { kind: 'referral', event: item as unknown as ReferralEvent };
  if (isObj(delivery) && toMs(delivery.watermark) !== undefined) return { kind: 'delivery', event: item as unknown as DeliveryEvent };
  if (isObj(read) && toMs(read.watermark) !== undefined) return { kind: 'read', event: item as unknown as ReadEvent };
  return { kind: 'other' };
}

/** Meta's times are ms numbers; one reference page shows a string of seconds. Both are read. */
function toMs(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e12 ? n * 1000 : n;
}

const PHONE_CHARS = /^\+?[0-9][0-9 ().-]{5,24}$/;
const looksLikePhone = (s: string | undefined): s is string => {
  if (!s || !PHONE_CHARS.test(s.trim())) return false;
  const digits = s.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
};


export interface EntryContext {
  facilityId: string;
  pageId: string;
  /** ISO 3166 country of the facility, for phone numbers shared without a country code */
  country: string;
  /** entry.time (ms), used when an item has no readable timestamp */
  entryTime?: number;
}

export interface ParsedItem {
  message?: InboundMessage;
  receipts?: DeliveryReceipt[];
}

/**
 * One classified item → at most one normalized message, or receipts. Echoes, anything sent by the Page
 * itself, `user_ref` senders (chat-plugin guests, no PSID) and attachment-only messages yield nothing.
 */
export function toInbound(ctx: EntryContext, classified: ClassifiedEvent): ParsedItem {
  if (classified.kind === 'other' || classified.kind === 'echo') return {};
  const ev: MessagingEvent = classified.event;
  const sid: unknown = ev.sender.id;
  const psid = typeof sid === 'string' ? sid : typeof sid === 'number' ? String(sid) : undefined;
  if (!psid || psid === ctx.pageId) return {};
  const ms = toMs(ev.timestamp) ?? ctx.entryTime;
  if (ms === undefined) return {};
  const base = { facilityId: ctx.facilityId, channel: 'messenger' as const, channelUserId: psid, sentAt: new Date(ms).toISOString() };

  switch (classified.kind) {
    case 'message': {
      const m = classified.event.message;
      const qr = typeof m.quick_reply?.payload === 'string' ? m.quick_reply.payload : undefined;
      // user_phone_number quick reply: Meta puts the number itself in the payload (and the text)
      if (qr !== undefined && looksLikePhone(qr) && (m.text === undefined || looksLikePhone(m.text))) {
        // one phone reader (src/core/phone.ts): a number it cannot read is the patient's text, never a "phone"
        const phone = normalizePhone(qr.trim(), ctx.country);
        return { message: { ...base, id: m.mid, kind: 'message', ...(phone ? { phone } : { text: m.text ?? qr }) } };
      }
      if (qr !== undefined) return { message: { ...base, id: m.mid, kind: 'message', choiceId: qr, ...(m.text !== undefined ? { text: m.text } : {}) } };
      if (typeof m.text === 'string' && m.text.length > 0) return { message: { ...base, id: m.mid, kind: 'message', text: m.text } };
      return {};
    }
    case 'postback': {
      const p = classified.event.postback;
      const id = typeof p.mid === 'string' && p.mid ? p.mid : `pb:${psid}:${ms}:${p.payload}`;
      const ref = typeof p.referral?.ref === 'string' ? p.referral.ref : undefined;
      if (p.payload === GET_STARTED_PAYLOAD) return { message: { ...base, id, kind: 'start', ...(ref !== undefined ? { ref } : {}) } };
      return {
        message: { ...base, id, kind: 'message', choiceId: p.payload, ...(typeof p.title === 'string' ? { text: p.title } : {}), ...(ref !== undefined ? { ref } : {}) },
      };
    }
    case 'referral': {
      const ref = typeof classified.event.referral.ref === 'string' ? classified.event.referral.ref : undefined;
      return { message: { ...base, id: `ref:${psid}:${ms}:${ref ?? ''}`, kind: 'start', ...(ref !== undefined ? { ref } : {}) } };
    }
    case 'delivery': {
      const d = classified.event.delivery;
      const at = new Date(toMs(d.watermark) ?? ms).toISOString();
      const mids = Array.isArray(d.mids) ? d.mids.filter((x): x is string => typeof x === 'string') : [];
      return { receipts: mids.map((mid) => ({ facilityId: ctx.facilityId, channel: 'messenger', platformMessageId: mid, status: 'delivered', at, channelUserId: psid })) };
    }
    case 'read': {
      // a read carries no mid, only a watermark: everything sent to this person at or before `at` was read
      const wm = toMs(classified.event.read.watermark) ?? ms;
      return {
        receipts: [{ facilityId: ctx.facilityId, channel: 'messenger', platformMessageId: `watermark:${wm}`, status: 'read', at: new Date(wm).toISOString(), channelUserId: psid }],
      };
    }
  }
}
