import { z } from 'zod';
import type { DeliveryReceipt } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import { choiceIdFromActionBody } from './render.js';
import type { ViberCallback } from './types.js';

const token = z.union([z.number(), z.string().regex(/^\d+$/)]);
const base = { timestamp: z.number(), message_token: token, chat_hostname: z.string().optional() };
const user = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  avatar: z.string().optional(),
  country: z.string().optional(),
  language: z.string().optional(),
  api_version: z.number().optional(),
});
const inboundMessage = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string(), tracking_data: z.string().optional() }),
  z.looseObject({
    type: z.literal('contact'),
    contact: z.looseObject({ name: z.string().optional(), phone_number: z.string().min(1), avatar: z.string().optional() }),
    text: z.string().optional(),
    tracking_data: z.string().optional(),
  }),
  z.looseObject({
    type: z.enum(['picture', 'video', 'file', 'sticker', 'url', 'location']),
    text: z.string().optional(),
    media: z.string().optional(),
    tracking_data: z.string().optional(),
  }),
]);

const callback = z.discriminatedUnion('event', [
  z.looseObject({ event: z.literal('message'), ...base, sender: user, message: inboundMessage }),
  z.looseObject({ event: z.literal('subscribed'), ...base, user }),
  z.looseObject({ event: z.literal('unsubscribed'), ...base, user_id: z.string().min(1) }),
  z.looseObject({
    event: z.literal('conversation_started'),
    ...base,
    type: z.string(),
    context: z.string().optional(),
    user,
    subscribed: z.boolean(),
  }),
  z.looseObject({ event: z.literal('delivered'), ...base, user_id: z.string().min(1) }),
  z.looseObject({ event: z.literal('seen'), ...base, user_id: z.string().min(1) }),
  z.looseObject({ event: z.literal('failed'), ...base, user_id: z.string().min(1), desc: z.string().optional() }),
  z.looseObject({ event: z.literal('webhook'), ...base }),
]);

const KNOWN_EVENTS = new Set(['message', 'subscribed', 'unsubscribed', 'conversation_started', 'delivered', 'seen', 'failed', 'webhook']);

export type ParsedCallback = { kind: 'known'; callback: ViberCallback; exactToken: string } | { kind: 'ignored'; event: string };

/**
 * Reads a callback body. Events we do not know (Viber adds some, e.g. `client_status`) are ignored rather
 * than refused, so Viber does not retry them; a known event missing its documented fields is refused.
 */
export function parseViberCallback(rawBody: Buffer): Result<ParsedCallback, string> {
  const text = rawBody.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err('body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return err('body is not a JSON object');
  const event = (json as { event?: unknown }).event;
  if (typeof event !== 'string') return err('missing event');
  if (!KNOWN_EVENTS.has(event)) return ok({ kind: 'ignored', event });
  const parsed = callback.safeParse(json);
  if (!parsed.success) {
    // the first few issues only: an error answer stays small however wrong the body
    const issues = parsed.error.issues;
    const head = issues.slice(0, 3).map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    return err(`invalid ${event.slice(0, 40)} callback: ${head}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}`);
  }
  const exactToken = readMessageToken(text) ?? String(parsed.data.message_token);
  return ok({ kind: 'known', callback: parsed.data as ViberCallback, exactToken });
}

/** The top-level `message_token` digits as written, before JSON.parse rounds them to a double. */
export function readMessageToken(rawText: string): string | undefined {
  return /"message_token"\s*:\s*"?(\d+)/.exec(rawText)?.[1];
}

/**
 * The key under which a Viber message token is matched between a send result and its receipts. The send
 * result only reaches us JSON-parsed (callPlatform), so both sides use the same double-rounded form.
 */
export const viberTokenKey = (tokenValue: number | string): string => String(Number(tokenValue));

const iso = (ms: number): string => new Date(ms).toISOString();

export interface CallbackMapping {
  messages: InboundMessage[];
  receipts: DeliveryReceipt[];
  /** set for conversation_started: answer with a welcome message */
  welcomeFor?: { userId: string; localeHint?: string };
}

/** Normalizes one verified callback into our events. */
export function mapViberCallback(cb: ViberCallback, exactToken: string, facilityId: string): CallbackMapping {
  const common = { id: exactToken, facilityId, channel: 'viber' as const, sentAt: iso(cb.timestamp) };
  const receipt = (userId: string, status: string): DeliveryReceipt => ({
    facilityId,
    channel: 'viber',
    platformMessageId: viberTokenKey(exactToken),
    status,
    at: iso(cb.timestamp),
    channelUserId: userId,
  });
  switch (cb.event) {
    case 'message': {
      const m = cb.message;
      const msg: InboundMessage = { ...common, channelUserId: cb.sender.id, kind: 'message', localeHint: cb.sender.language };
      if (m.type === 'contact') {
        msg.phone = m.contact.phone_number;
        if (m.text) msg.text = m.text;
      } else if (m.text !== undefined) {
        const choiceId = m.type === 'text' ? choiceIdFromActionBody(m.text) : undefined;
        if (choiceId !== undefined) msg.choiceId = choiceId;
        else msg.text = m.text;
      }
      return { messages: [msg], receipts: [] };
    }
    case 'subscribed':
      return { messages: [{ ...common, channelUserId: cb.user.id, kind: 'subscribed', localeHint: cb.user.language }], receipts: [] };
    case 'unsubscribed':
      return { messages: [{ ...common, channelUserId: cb.user_id, kind: 'unsubscribed' }], receipts: [] };
    case 'conversation_started': {
      const msg: InboundMessage = { ...common, channelUserId: cb.user.id, kind: 'start', localeHint: cb.user.language };
      if (cb.context) msg.ref = cb.context;
      return { messages: [msg], receipts: [], welcomeFor: { userId: cb.user.id, localeHint: cb.user.language } };
    }
    case 'delivered':
    case 'seen':
    case 'failed':
      return { messages: [], receipts: [receipt(cb.user_id, cb.event)] };
    case 'webhook':
      return { messages: [], receipts: [] };
  }
}
