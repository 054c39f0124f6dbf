import type { ChannelLesson, ChannelState } from '../../src/core/channel.js';

/**
 * Subscription is Viber's word, not ours: writing to the bot subscribes a user; `conversation_started`
 * does not, and neither it nor an unsubscribe opens a session for bot messages. A send refused with
 * status 6 (receiverNotSubscribed) says the user left.
 */
export function learnViber(state: ChannelState | undefined, lesson: ChannelLesson): ChannelState {
  switch (lesson.kind) {
    case 'address':
      return { subscribed: false, ...state, userId: lesson.userId };
    case 'inbound': {
      const { kind, channelUserId } = lesson.message;
      const passive = kind === 'unsubscribed' || kind === 'start';
      return {
        ...state,
        userId: channelUserId,
        subscribed: kind === 'unsubscribed' ? false : kind === 'start' ? (state?.subscribed ?? false) : true,
        ...(passive ? {} : { lastInboundAt: lesson.at }),
      };
    }
    case 'opted_out':
      return { userId: '', ...state, subscribed: false };
  }
}
