import type { RawRequest } from '../../src/core/channel.js';
import type { ChannelName, Contact } from '../../src/core/domain.js';
import type { InboundMessage, SendBlockReason, SendPurpose } from '../../src/core/messages.js';
import type { FacilityConfig } from '../../src/config/schema.js';

/** A stand-in for the platform's API: a real HTTP server on an ephemeral port. */
export interface FakeApi {
  /** the API base to hand the module (`ChannelContext.apiBase`) */
  url: string;
  /** every request received so far (read it after the send), its body as the raw text */
  readonly requests: readonly { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

/**
 * What `test/channels/conformance.test.ts` needs of one channel, exported as `conformance` from
 * `test/channels/<name>/conformance.ts`. Every channel fills in the same shape from its own helpers and fixtures.
 */
export interface ChannelConformance {
  /** the registry name of the module this describes */
  name: ChannelName;
  /**
   * entries of the channel's test folder beyond the required set, each a `*.test.ts` or a `fake-*.ts`
   * (a platform's own concern: a handshake, a setup plan, its fake API)
   */
  extraFiles: readonly string[];
  /** one facility with this channel configured: the module is created with it alone */
  facility: FacilityConfig;
  /** the POST route (`ChannelRoute.path`) the requests below are delivered to */
  inboundPath: string;
  /** the route's `:facilityId`, when the path has one */
  routeFacilityId?: string;
  /** the (lower-cased) header carrying the platform's signature */
  signatureHeader: string;
  /** a documented text-message payload, correctly signed */
  signedRequest(): RawRequest;
  /** the same payload changed after signing: the signature header is the signed one's */
  tamperedRequest(): RawRequest;
  /** these exact bytes, signed the way the platform signs them for `inboundPath` */
  sign(rawBody: Buffer): RawRequest;
  /** a body the parser refuses (bad_request) once it is correctly signed */
  malformedBody: Buffer;
  /** what `signedRequest()` normalizes to, in order (at least facilityId, channel, channelUserId, kind, text) */
  expectedMessages: readonly Partial<InboundMessage>[];
  /** the platform API, answering every send with success */
  startFake(): Promise<FakeApi>;
  /** the clock for sends and lessons */
  now: Date;
  /** a contact this channel may write to freely at `now` (inside any window; subscribed where that matters) */
  contactInWindow: Contact;
  /**
   * What an `opted_out` lesson (learned from a send outcome the module's `optedOut` reads as one) does to
   * permission: the reason every purpose is then refused with, and each purpose still allowed with why; or,
   * for a platform without an opt-out, why not (the module then has no `optedOut`, and the refusal check is skipped).
   */
  optOut: { reason: SendBlockReason; stillAllowed?: Partial<Record<SendPurpose, string>> } | { none: string };
}
