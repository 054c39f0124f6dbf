import { hubChallenge, type HubChallengeResult } from '../../src/core/hub-signature.js';

/** WhatsApp's Cloud API signs and verifies the Meta way (src/core/hub-signature.ts). */
export { findHubSigner as findSigner, hubSigner as verifySigner, readHubSignature as readSignature, hubSignatureMatches as signatureMatches, signHubBody as signBody } from '../../src/core/hub-signature.js';

export type HandshakeResult = HubChallengeResult;

/** `GET /webhooks/whatsapp`: Meta's verification request; one callback URL serves every number, so the token may be any facility's. */
export const handshake = (query: Record<string, string | undefined>, verifyTokens: readonly string[]): HandshakeResult => hubChallenge(query, verifyTokens);
