import type { ChannelInbound, DeliveryReceipt, InboundRejection, ParsedInbound, RawRequest } from '../../src/core/channel.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { err, ok, type Result } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { classify, readEnvelope, toInbound } from './parse.js';
import { verifySigner } from './verify.js';

const reject = (kind: InboundRejection['kind'], message: string) => err<InboundRejection>({ kind, message });

/**
 * `POST /webhooks/messenger` for every page. Steps, in this order:
 * 1. the `X-Hub-Signature-256` header must be `sha256=<hex>` (else bad_signature);
 * 2. the raw bytes must carry the HMAC of one of the configured app secrets (a bounded set, deduplicated;
 *    else bad_signature). Nothing of the body is read before this: an unsigned body costs one HMAC per
 *    secret, whatever it holds;
 * 3. the envelope is parsed (bad_request when it is not a page webhook);
 * 4. every page (`entry[].id`) must be one of ours (else unknown_facility: the sender is authenticated, so
 *    this tells it nothing it does not know), and belong to the secret that signed the delivery. Meta signs
 *    a delivery with the secret of the app it delivers for, and one delivery only holds pages subscribed to
 *    that app; a batch naming a page of another app cannot be authenticated as a whole, so it is refused
 *    (bad_signature) rather than half-trusted;
 * 5. every entry and every `messaging` item is parsed (standby items, sent while another app owns the
 *    thread, are not answered).
 *
 * `ParsedInbound.facilityId` is the first entry's facility; a batch may span several pages of one app,
 * so each message and receipt carries its own `facilityId`.
 */
export function createMessengerInbound(facilities: readonly FacilityConfig[]): ChannelInbound {
  const byPage = new Map<string, FacilityConfig & { channels: { messenger: NonNullable<FacilityConfig['channels']['messenger']> } }>();
  for (const f of facilities) {
    const m = f.channels.messenger;
    if (m) byPage.set(m.pageId, { ...f, channels: { ...f.channels, messenger: m } });
  }
  const secrets = [...new Set([...byPage.values()].map((f) => f.channels.messenger.appSecret))];

  function receive(req: RawRequest): Result<ParsedInbound, InboundRejection> {
    const signed = verifySigner(req, secrets);
    if (!signed.ok) return signed;
    const signer = signed.value;

    const env = readEnvelope(req.rawBody);
    if (!env.ok) return reject('bad_request', env.error);

    const served = env.value.entry.map((e) => byPage.get(e.id));
    if (served.some((f) => f === undefined)) return reject('unknown_facility', 'the webhook names a page this service does not serve');
    const pages = served as NonNullable<(typeof served)[number]>[];
    if (pages.some((f) => f.channels.messenger.appSecret !== signer)) {
      return reject('bad_signature', 'the batch names a page of another app; it cannot be authenticated as a whole');
    }

    const messages: InboundMessage[] = [];
    const receipts: DeliveryReceipt[] = [];
    env.value.entry.forEach((entry, i) => {
      const f = pages[i]!;
      const ctx = { facilityId: f.id, pageId: entry.id, country: f.country, ...(entry.time !== undefined ? { entryTime: entry.time } : {}) };
      for (const item of entry.messaging ?? []) {
        const r = toInbound(ctx, classify(item));
        if (r.message) messages.push(r.message);
        if (r.receipts) receipts.push(...r.receipts);
      }
    });
    return ok({ facilityId: pages[0]!.id, messages, receipts });
  }

  return { channel: 'messenger', receive };
}
