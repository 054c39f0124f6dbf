import type { ChannelInbound, DeliveryReceipt, InboundRejection, ParsedInbound, RawRequest } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { readEnvelope, toInbound, toReceipt, whatsappNumbers } from './parse.js';
import type { WhatsAppFacility } from './types.js';
import { verifySigner } from './verify.js';

const reject = (kind: InboundRejection['kind'], message: string) => err<InboundRejection>({ kind, message });

/**
 * `POST /webhooks/whatsapp` for every business number. Steps, in this order:
 * 1. the `X-Hub-Signature-256` header must be `sha256=<hex>` (else bad_signature);
 * 2. the raw bytes must carry the HMAC of one of the configured app secrets (deduplicated; each facility may
 *    belong to its own Meta app). Every secret is tried, with no early exit, and nothing of the body is read
 *    before this: an unsigned body costs one HMAC per app, whatever it holds, and says nothing of the config;
 * 3. the envelope is parsed (bad_request when it is not a WhatsApp Business Account webhook);
 * 4. every `messages` change's `metadata.phone_number_id` must be one of ours (else unknown_facility: the caller
 *    is authenticated, so this tells it nothing new) and belong to the app whose secret signed the delivery; a
 *    batch naming a number of another app cannot be authenticated as a whole, so it is refused (bad_signature)
 *    rather than half-trusted;
 * 5. every message and status is read; an item it cannot read is skipped, never fatal.
 *
 * `ParsedInbound.facilityId` is the first change's facility (or, for a delivery with no `messages` change, the
 * first facility of the signing app); each message and receipt carries its own `facilityId`.
 */
export function createWhatsAppInbound(all: readonly FacilityConfig[]): ChannelInbound {
  const facilities = whatsappNumbers(all);
  const byNumber = new Map(facilities.map((f) => [f.config.phoneNumberId, f]));
  const secrets = [...new Set(facilities.map((f) => f.config.appSecret))];

  function receive(req: RawRequest): Result<ParsedInbound, InboundRejection> {
    const signed = verifySigner(req, secrets);
    if (!signed.ok) return signed;
    const signer = signed.value;

    const env = readEnvelope(req.rawBody);
    if (!env.ok) return reject('bad_request', env.error);

    const served = env.value.changes.map((c) => byNumber.get(c.phoneNumberId));
    if (served.some((f) => f === undefined)) return reject('unknown_facility', 'the webhook names a business phone number this service does not serve');
    const numbers = served as WhatsAppFacility[];
    if (numbers.some((f) => f.config.appSecret !== signer)) {
      return reject('bad_signature', 'the batch names a phone number of another app; it cannot be authenticated as a whole');
    }

    const messages: InboundMessage[] = [];
    const receipts: DeliveryReceipt[] = [];
    env.value.changes.forEach((change, i) => {
      const f = numbers[i]!;
      const ctx = { facilityId: f.id, contacts: change.contacts, ...(f.country !== undefined ? { country: f.country } : {}) };
      for (const item of change.messages) {
        const m = toInbound(ctx, item);
        if (m) messages.push(m);
      }
      for (const item of change.statuses) {
        const r = toReceipt(ctx, item);
        if (r) receipts.push(r);
      }
    });
    const facilityId = numbers[0]?.id ?? facilities.find((f) => f.config.appSecret === signer)!.id;
    return ok({ facilityId, messages, receipts });
  }

  return { channel: 'whatsapp', receive };
}
