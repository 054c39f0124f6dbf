import type { ChannelSender } from '../core/channel.js';
import { defaultDevMailbox, type DevMailbox } from './mailbox.js';

/** The outbox's sender for the `dev` channel: messages land in the dev chat page's mailbox. */
export function createDevSender(mailbox: DevMailbox = defaultDevMailbox): ChannelSender {
  return {
    channel: 'dev',
    permission: () => ({ ok: true, mode: 'standard' }),
    async send(msg, _contact, now) {
      const seq = mailbox.put(msg.facilityId, msg.channelUserId, { id: msg.id, purpose: msg.purpose, reply: msg.reply, at: now.toISOString() });
      return { status: 'sent', platformMessageId: `dev-${seq}`, attempts: 1 };
    },
  };
}
