import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FacilityConfig } from '../../src/config/schema.js';

/** `X-Hub-Signature-256: sha256=<64 lowercase or uppercase hex>`; nothing else is accepted (no sha1, no algorithm from the header). */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The signature's digest bytes, or undefined when the header is missing or malformed. */
export function readSignature(header: string | undefined): Buffer | undefined {
  const m = header ? SIGNATURE.exec(header.trim()) : null;
  return m?.[1] ? Buffer.from(m[1], 'hex') : undefined;
}

/** HMAC-SHA256 of the raw bytes with the app secret, compared in constant time. */
export function signatureMatches(rawBody: Buffer, digest: Buffer, appSecret: string): boolean {
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return expected.length === digest.length && timingSafeEqual(expected, digest);
}

/** Signs a body the way Meta does (used by tests and by the setup command's self-check). */
export const signBody = (rawBody: Buffer | string, appSecret: string): string =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

/** Constant-time string equality that does not leak the length (both sides hashed first). */
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export type HandshakeResult = { ok: true; challenge: string } | { ok: false; status: 403 | 400 };

/**
 * `GET /webhooks/messenger`: Meta's verification request. One callback URL serves every page, so the
 * token may be any facility's `verifyToken`. Missing parameters or another mode → 400; a token that
 * matches no facility → 403.
 */
export function handshake(query: Record<string, string | undefined>, facilities: readonly FacilityConfig[]): HandshakeResult {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || !token || challenge === undefined || challenge === '') return { ok: false, status: 400 };
  let matched = false;
  for (const f of facilities) {
    const expected = f.channels.messenger?.verifyToken;
    // no early exit: every configured token is compared
    if (expected !== undefined && sameSecret(expected, token)) matched = true;
  }
  return matched ? { ok: true, challenge } : { ok: false, status: 403 };
}
