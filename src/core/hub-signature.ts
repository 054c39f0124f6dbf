import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRejection, RawRequest } from './channel.js';
import { err, ok, type Result } from './result.js';

/*
 * Meta's webhook scheme, shared by every Meta platform (Messenger, WhatsApp): `X-Hub-Signature-256` is the
 * HMAC-SHA256 of the raw body keyed with the app secret, and a subscription is confirmed by answering the
 * `hub.challenge` of a `hub.mode=subscribe` request whose `hub.verify_token` is ours.
 */

/** `sha256=<64 hex>`; nothing else is accepted (no sha1, no algorithm taken from the header). */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The signature's digest bytes, or undefined when the header is missing or malformed. */
export function readHubSignature(header: string | undefined): Buffer | undefined {
  const m = header ? SIGNATURE.exec(header.trim()) : null;
  return m?.[1] ? Buffer.from(m[1], 'hex') : undefined;
}

/** HMAC-SHA256 of the raw bytes (never a re-serialized body) with the app secret, compared in constant time. */
export function hubSignatureMatches(rawBody: Buffer, digest: Buffer, appSecret: string): boolean {
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return expected.length === digest.length && timingSafeEqual(expected, digest);
}

/**
 * The app secret that signed these bytes, if any. Every secret is tried, with no early exit, so the time
 * taken says nothing about which secret (or whether one) matched; there are only as many as configured apps.
 */
export function findHubSigner(rawBody: Buffer, digest: Buffer, appSecrets: readonly string[]): string | undefined {
  let signer: string | undefined;
  for (const secret of appSecrets) {
    const matches = hubSignatureMatches(rawBody, digest, secret);
    if (matches && signer === undefined) signer = secret;
  }
  return signer;
}

/**
 * The first step of every Meta webhook, before the body is read: the app secret that signed these raw bytes
 * (one of `appSecrets`), or `bad_signature`.
 */
export function hubSigner(req: RawRequest, appSecrets: readonly string[]): Result<string, InboundRejection> {
  const digest = readHubSignature(req.headers['x-hub-signature-256']);
  if (!digest) return err({ kind: 'bad_signature', message: 'missing or malformed X-Hub-Signature-256 (expected sha256=<hex>)' });
  const signer = findHubSigner(req.rawBody, digest, appSecrets);
  return signer === undefined ? err({ kind: 'bad_signature', message: 'X-Hub-Signature-256 matches no configured app secret' }) : ok(signer);
}

/** Signs a body the way Meta does (tests; a setup self-check). */
export const signHubBody = (rawBody: Buffer | string, appSecret: string): string => `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

/** Constant-time string equality that does not leak the length (both sides hashed first). */
export const sameSecret = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export type HubChallengeResult = { ok: true; challenge: string } | { ok: false; status: 400 | 403 };

/**
 * Meta's verification request, answered with the challenge as it came. One callback URL serves every page or
 * number, so the token may be any facility's; every one is compared (no early exit). Missing parameters or
 * another mode → 400; a token that matches none → 403.
 */
export function hubChallenge(query: Record<string, string | undefined>, verifyTokens: readonly string[]): HubChallengeResult {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || !token || challenge === undefined || challenge === '') return { ok: false, status: 400 };
  let matched = false;
  for (const expected of verifyTokens) if (sameSecret(expected, token)) matched = true;
  return matched ? { ok: true, challenge } : { ok: false, status: 403 };
}
