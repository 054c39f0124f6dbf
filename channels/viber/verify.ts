import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * `X-Viber-Content-Signature`: hex HMAC-SHA256 of the raw callback body, keyed with the bot's auth token
 * (https://developers.viber.com/docs/api/rest-bot-api/#callbacks). Compared in constant time; a missing
 * or malformed header is simply false.
 */
export function viberSignatureMatches(rawBody: Buffer, header: string | undefined, authToken: string): boolean {
  const sig = header?.trim();
  if (!sig || !HEX_SHA256.test(sig)) return false;
  const expected = createHmac('sha256', authToken).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(sig, 'hex'));
}

/** Signs a body the way Viber does (tests, and a setup self-check). */
export const signViberBody = (rawBody: Buffer | string, authToken: string): string =>
  createHmac('sha256', authToken).update(rawBody).digest('hex');
