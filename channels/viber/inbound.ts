import { randomBytes } from 'node:crypto';
import type { ChannelInbound, ParsedInbound } from '../../src/core/channel.js';
import type { Reply } from '../../src/core/messages.js';
import { err, ok } from '../../src/core/result.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { mapViberCallback, parseViberCallback } from './parse.js';
import { renderViberReply } from './render.js';
import { viberSignatureMatches } from './verify.js';

export interface ViberInboundOptions {
  /**
   * The welcome answered to `conversation_started` (Viber allows this one message before subscription).
   * Returns the localized text (or a Reply with choices); undefined sends no welcome. Kept out of channel
   * code so no user-facing string lives here.
   */
  welcomeText?: (facilityId: string, localeHint: string | undefined) => string | Reply | undefined;
}

/**
 * `POST /webhooks/viber/:facilityId`. The route names the facility; the signature is checked with that
 * facility's auth token before anything is read. A route naming no facility with a Viber bot cannot be
 * authenticated: it is checked against a random token (the same work) and refused as bad_signature, so
 * an unsigned caller cannot tell an unknown facility from a wrong signature.
 */
export function createViberInbound(facilities: readonly FacilityConfig[], opts: ViberInboundOptions = {}): ChannelInbound {
  const bots = new Map(facilities.flatMap((f) => (f.channels.viber ? [[f.id, { facility: f, viber: f.channels.viber }] as const] : [])));
  const nobody = randomBytes(32).toString('hex');
  return {
    channel: 'viber',
    receive(req, routeFacilityId) {
      const bot = routeFacilityId !== undefined ? bots.get(routeFacilityId) : undefined;
      const signed = viberSignatureMatches(req.rawBody, req.headers['x-viber-content-signature'], bot?.viber.authToken ?? nobody);
      if (!bot) return err({ kind: 'bad_signature', message: 'no Viber bot for this route' });
      if (!signed) return err({ kind: 'bad_signature', message: 'X-Viber-Content-Signature missing or wrong' });
      const { facility, viber } = bot;
      const parsed = parseViberCallback(req.rawBody);
      if (!parsed.ok) return err({ kind: 'bad_request', message: parsed.error });
      if (parsed.value.kind === 'ignored') return ok({ facilityId: facility.id, messages: [] });
      const mapped = mapViberCallback(parsed.value.callback, parsed.value.exactToken, facility.id);
      const result: ParsedInbound = { facilityId: facility.id, messages: mapped.messages };
      if (mapped.receipts.length > 0) result.receipts = mapped.receipts;
      if (mapped.welcomeFor && opts.welcomeText) {
        const welcome = opts.welcomeText(facility.id, mapped.welcomeFor.localeHint);
        if (welcome !== undefined) {
          const reply: Reply = typeof welcome === 'string' ? { text: welcome } : welcome;
          // one welcome message only: the first part (with the keyboard when the reply is short enough to be one message)
          const [first] = renderViberReply(reply, viber);
          if (first) result.responseBody = first;
        }
      }
      return ok(result);
    },
  };
}
