import { learnAddress } from '../../src/core/channel.js';

/**
 * Messenger remembers the PSID and when the person last wrote (that opens the 24-hour window); it has no
 * subscription and no opt-out of its own: the generic lessons are all it needs.
 */
export const learnMessenger = learnAddress;
