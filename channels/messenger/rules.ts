import type { SendPermission } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage, SendBlockReason, SendPurpose } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';

/** Messenger's standard messaging window: 24 hours after the person's last message or tap. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** How one outbound message may go out, if at all. */
export type SendPlan =
  /** inside the window: free-form messages with this messaging_type */
  | { kind: 'session'; messagingType: 'RESPONSE' | 'UPDATE' }
  /** outside the window: one approved utility-message template (page_utility_messaging) */
  | { kind: 'utility'; template: string; language: string };

/** Is `now` within 24h of the contact's last inbound Messenger event? */
export function insideWindow(contact: Contact | undefined, now: Date): boolean {
  const last = contact?.channels?.messenger?.lastInboundAt;
  if (!last) return false;
  const at = Date.parse(last);
  if (Number.isNaN(at)) return false;
  const age = now.getTime() - at;
  return age < WINDOW_MS;
}

const RESPONSE_PURPOSES: readonly SendPurpose[] = ['response', 'welcome'];

/**
 * Meta's rules as of the v25.0 docs:
 * - inside the window: `RESPONSE` for answers (response, welcome), `UPDATE` for what we push (update, reminder, broadcast);
 * - outside it: reminders and updates as a utility message when the facility names an approved template for
 *   that purpose (`utilityTemplates.reminder` / `.update`); anything else is `outside_window` (the outbox
 *   falls back to SMS).
 * Message tags (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE, HUMAN_AGENT) are never used.
 */
export function planSend(msg: Pick<OutboundMessage, 'purpose'>, contact: Contact | undefined, now: Date, facility: FacilityConfig | undefined): Result<SendPlan, SendBlockReason> {
  const messenger = facility?.channels.messenger;
  if (!messenger) return err('no_channel');
  if (insideWindow(contact, now)) return ok({ kind: 'session', messagingType: RESPONSE_PURPOSES.includes(msg.purpose) ? 'RESPONSE' : 'UPDATE' });
  const templates = messenger.utilityTemplates;
  const template = msg.purpose === 'reminder' ? templates?.reminder : msg.purpose === 'update' ? templates?.update : undefined;
  if (template) return ok({ kind: 'utility', template, language: templates?.language ?? 'en' });
  return err('outside_window');
}

/** `ChannelSender.permission` in the core's vocabulary. */
export function permission(msg: Pick<OutboundMessage, 'purpose'>, contact: Contact | undefined, now: Date, facility: FacilityConfig | undefined): SendPermission {
  const plan = planSend(msg, contact, now, facility);
  if (!plan.ok) return { ok: false, reason: plan.error };
  return { ok: true, mode: plan.value.kind === 'utility' ? 'utility' : 'session' };
}
