import type { SendPermission } from '../../src/core/channel.js';
import type { Contact } from '../../src/core/domain.js';
import type { OutboundMessage } from '../../src/core/messages.js';

/** SMS has no session window: anyone who has not opted out may be texted. */
export function smsPermission(_msg: OutboundMessage, contact: Contact | undefined, _now: Date): SendPermission {
  if (contact?.channels?.sms?.optedOut) return { ok: false, reason: 'opted_out' };
  return { ok: true, mode: 'standard' };
}
