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
 * facility's auth token before anything is read.
 */
export function createViberInbound(facilities: readonly FacilityConfig[], opts: ViberInboundOptions = {}): ChannelInbound {
  return {
    channel: 'viber',
    receive(req, routeFacilityId) {
      const facility = routeFacilityId ? facilities.find((f) => f.id === routeFacilityId) : undefined;
      const viber = facility?.channels.viber;
      if (!facility || !viber) return err({ kind: 'unknown_facility', message: `no Viber bot for facility "${routeFacilityId ?? ''}"` });
      if (!viberSignatureMatches(req.rawBody, req.headers['x-viber-content-signature'], viber.authToken)) {
        return err({ kind: 'bad_signature', message: 'X-Viber-Content-Signature missing or wrong' });
      }
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

export { createViberSender, type ViberSenderOptions } from './send.js';
export { viberSetupPlan, type ViberSetupRequest } from './setup.js';
export { isBotInitiated, viberPermission, viberStats, UnansweredCounter, VIBER_SESSION_MS, VIBER_UNANSWERED_CAP } from './rules.js';
export { renderViberReply, choiceActionBody, choiceIdFromActionBody, splitAtWords, CHOICE_PREFIX, VIBER_MAX_TEXT, VIBER_MAX_BUTTONS } from './render.js';
export { viberSignatureMatches, signViberBody } from './verify.js';
export { parseViberCallback, mapViberCallback, viberTokenKey, readMessageToken } from './parse.js';
export type * from './types.js';
export { VIBER_STATUS } from './types.js';
