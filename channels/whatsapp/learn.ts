import type { ChannelLesson, ChannelState } from '../../src/core/channel.js';
import type { SendOutcome } from '../../src/core/messages.js';
import { WHATSAPP_ERRORS } from './send.js';

/**
 * WhatsApp remembers the address (`+<wa_id>`, or a BSUID), when the person last wrote (that opens the 24-hour
 * customer service window) and whether the platform said they stopped us.
 */
export function learnWhatsApp(state: ChannelState | undefined, lesson: ChannelLesson): ChannelState {
  switch (lesson.kind) {
    case 'address':
      // another address is another WhatsApp account: the old one's window and opt-out are not its own
      return state?.userId === lesson.userId ? state : { userId: lesson.userId };
    case 'inbound': {
      const userId = lesson.message.channelUserId;
      const same = state?.userId === userId ? state : undefined;
      // a message delivered late never moves the window back
      const last = same?.lastInboundAt !== undefined && Date.parse(same.lastInboundAt) > Date.parse(lesson.at) ? same.lastInboundAt : lesson.at;
      // a message from the person re-opens the channel, whatever stopped it before
      return { ...same, userId, lastInboundAt: last, optedOut: false };
    }
    case 'opted_out':
      return { userId: '', ...state, optedOut: true };
  }
}

/** 131050: the person stopped messages from this business; nothing goes there until they write again. */
export const whatsappOptedOut = (outcome: SendOutcome): boolean => outcome.status === 'failed' && outcome.code === String(WHATSAPP_ERRORS.stoppedMarketing);
