import { channelState, type SendPermission } from '../../src/core/channel.js';
import type { ChannelState, Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendBlockReason } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { WhatsAppConfig } from '../../src/config/schema.js';

/** The customer service window: free-form messages only within 24 hours of the user's last message. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** How one outbound message may go out, if at all. */
export type SendPlan =
  /** inside the window: free-form messages (text, buttons, lists) */
  | { kind: 'session' }
  /** outside it: one approved utility template carrying the text as its only body parameter */
  | { kind: 'utility'; template: string; language: string };

/** The contact's WhatsApp state, if it is the state of this address (a state kept for another number says nothing of this one). */
export function stateFor(contact: Contact | undefined, address: string | undefined): ChannelState | undefined {
  const state = channelState(contact, 'whatsapp');
  if (!state || address === undefined) return state;
  const bare = (s: string) => (s.startsWith('+') ? s.slice(1) : s);
  return bare(state.userId) === bare(address) ? state : undefined;
}

/** Is `now` within 24 hours of the contact's last inbound WhatsApp message? */
export function insideWindow(state: ChannelState | undefined, now: Date): boolean {
  const at = state?.lastInboundAt ? Date.parse(state.lastInboundAt) : NaN;
  if (Number.isNaN(at)) return false;
  return now.getTime() - at < WINDOW_MS;
}

/**
 * Meta's rules (customer service windows, message templates):
 * - a user who stopped us (131050, or an opt-out the engine recorded) gets nothing until they write again: `opted_out`;
 * - within 24 hours of the user's last message: anything, free-form (`session`);
 * - outside it: a reminder or an update as the facility's approved utility template for that purpose
 *   (`templates.reminder` / `templates.update`); anything else is `outside_window` (the outbox may fall back to SMS).
 */
export function planSend(
  msg: Pick<OutboundMessage, 'purpose' | 'channelUserId'>,
  contact: Contact | undefined,
  now: Date,
  config: WhatsAppConfig | undefined,
): Result<SendPlan, SendBlockReason> {
  if (!config) return err('no_channel');
  const state = stateFor(contact, msg.channelUserId);
  if (state?.optedOut) return err('opted_out');
  if (insideWindow(state, now)) return ok({ kind: 'session' });
  const t = config.templates;
  const template = msg.purpose === 'reminder' ? t?.reminder : msg.purpose === 'update' ? t?.update : undefined;
  if (template) return ok({ kind: 'utility', template, language: t?.language ?? 'en' });
  return err('outside_window');
}

/** `ChannelSender.permission` in the core's vocabulary. */
export function permission(msg: Pick<OutboundMessage, 'purpose' | 'channelUserId'>, contact: Contact | undefined, now: Date, config: WhatsAppConfig | undefined): SendPermission {
  const plan = planSend(msg, contact, now, config);
  if (!plan.ok) return { ok: false, reason: plan.error };
  return { ok: true, mode: plan.value.kind };
}
