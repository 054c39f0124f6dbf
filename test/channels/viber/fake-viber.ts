import { fakePlatform, type Answer, type CapturedRequest } from '../../support/fake-platform.js';

export type { Answer, CapturedRequest };

/** A local server standing in for Viber's REST API (base path /pa, like chatapi.viber.com/pa). */
export const fakeViber = (answer: (req: CapturedRequest, n: number) => Answer) => fakePlatform(answer, '/pa');
