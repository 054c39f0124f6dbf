import { fakePlatform, type Answer, type CapturedRequest } from '../../support/fake-platform.js';

export type { Answer, CapturedRequest };

/** A local server standing in for Twilio's API. */
export const fakeTwilio = (answer: (req: CapturedRequest, n: number) => Answer) => fakePlatform(answer);
