import type { SendPermission } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendBlockReason, SendPurpose } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';

/** Messenger's standard messaging window: 24 hours after the person's last message or tap. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
/** The HUMAN_AGENT tag: a person's answer up to 7 days after the person's last message. */
export const HUMAN_AGENT_MS = 7 * 24 * 60 * 60 * 1000;

/** How one outbound message may go out, if at all. */
export type SendPlan =
  /** inside the window: free-form messages with this messaging_type */
  | { kind: 'session'; messagingType: 'RESPONSE' | 'UPDATE' }
  /** outside the window: one approved utility-message template (page_utility_messaging) */
  | { kind: 'utility'; template: string; language: string }
  /** outside the window, within 7 days: a staff member's own words with the HUMAN_AGENT tag */
  | { kind: 'human_agent' };

/** Is `now` within 24h of the contact's last inbound Messenger event? */
export function insideWindow(contact: Contact | undefined, now: Date, windowMs = WINDOW_MS): boolean {
  const last = contact?.channels?.messenger?.lastInboundAt;
  if (!last) return false;
  const at = Date.parse(last);
  if (Number.isNaN(at)) return false;
  const age = now.getTime() - at;
  return age < windowMs;
}

const RESPONSE_PURPOSES: readonly SendPurpose[] = ['response', 'welcome', 'human'];

/**
 * Meta's rules as of the v25.0 docs:
 * - inside the window: `RESPONSE` for answers (response, welcome), `UPDATE` for what we push (update, reminder, broadcast);
 * - outside it: reminders and updates as a utility message when the facility names an approved template for
 *   that purpose (`utilityTemplates.reminder` / `.update`); anything else is `outside_window` (the outbox
 *   falls back to SMS).
 * - a staff member's answer (`human`) outside the window and within 7 days of the person's last message goes
 *   with the HUMAN_AGENT tag (the only tag used, and never for automated text).
 * Other message tags (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE) are never used.
 */
export function planSend(msg: Pick<OutboundMessage, 'purpose'>, contact: Contact | undefined, now: Date, facility: FacilityConfig | undefined): Result<SendPlan, SendBlockReason> {
  const messenger = facility?.channels.messenger;
  if (!messenger) return err('no_channel');
  if (insideWindow(contact, now)) return ok({ kind: 'session', messagingType: RESPONSE_PURPOSES.includes(msg.purpose) ? 'RESPONSE' : 'UPDATE' });
  if (msg.purpose === 'human') return insideWindow(contact, now, HUMAN_AGENT_MS) ? ok({ kind: 'human_agent' }) : err('outside_window');
  const templates = messenger.utilityTemplates;
  const template = msg.purpose === 'reminder' ? templates?.reminder : msg.purpose === 'update' ? templates?.update : undefined;
  if (template) return ok({ kind: 'utility', template, language: templates?.language ?? 'en' });
  return err('outside_window');
}

/** `ChannelSender.permission` in the core's vocabulary. */
export function permission(msg: Pick<OutboundMessage, 'purpose'>, contact: Contact | undefined, now: Date, facility: FacilityConfig | undefined): SendPermission {
  const plan = planSend(msg, contact, now, facility);
  if (!plan.ok) return { ok: false, reason: plan.error };
  return { ok: true, mode: plan.value.kind === 'utility' ? 'utility' : plan.value.kind === 'human_agent' ? 'standard' : 'session' };
}
