import type { ChannelLesson, ChannelState } from '../../src/core/channel.js';

/** An SMS address is the phone; STOP opts it out until START (Twilio answers 21610 to sends in between). */
export function learnSms(state: ChannelState | undefined, lesson: ChannelLesson): ChannelState {
  switch (lesson.kind) {
    case 'address':
      return { optedOut: false, ...state, userId: lesson.userId };
    case 'inbound': {
      const { kind, channelUserId } = lesson.message;
      return { ...state, userId: channelUserId, optedOut: kind === 'opt_out' ? true : kind === 'opt_in' ? false : (state?.optedOut ?? false), lastInboundAt: lesson.at };
    }
    case 'opted_out':
      return { userId: '', ...state, optedOut: true };
  }
}
