import type { FacilityConfig } from '../../src/config/schema.js';
import { hubChallenge, type HubChallengeResult } from '../../src/core/hub-signature.js';

/** Messenger signs and verifies the Meta way (src/core/hub-signature.ts). */
export { findHubSigner as findSigner, hubSigner as verifySigner, readHubSignature as readSignature, hubSignatureMatches as signatureMatches, signHubBody as signBody } from '../../src/core/hub-signature.js';

export type HandshakeResult = HubChallengeResult;

/** `GET /webhooks/messenger`: Meta's verification request; the token may be any facility's `verifyToken`. */
export function handshake(query: Record<string, string | undefined>, facilities: readonly FacilityConfig[]): HandshakeResult {
  return hubChallenge(query, facilities.flatMap((f) => (f.channels.messenger ? [f.channels.messenger.verifyToken] : [])));
}
