import type { FacilityConfig } from '../../src/config/schema.js';
import type { ViberSetWebhookBody } from './types.js';

export interface ViberSetupRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  /** JSON body; stringify before sending */
  body: ViberSetWebhookBody;
}

/**
 * The `set_webhook` call for one facility (https://creators.viber.com/docs/bots-api/getting-started/web-hooks),
 * for `npx frontdesk setup-webhooks`. Names and photos are not requested: we do not need them (data minimization).
 * Returns undefined when the facility has no Viber channel.
 */
export function viberSetupPlan(facility: FacilityConfig, publicUrl: string, apiBase = 'https://chatapi.viber.com/pa'): ViberSetupRequest | undefined {
  const viber = facility.channels.viber;
  if (!viber) return undefined;
  return {
    method: 'POST',
    url: `${apiBase.replace(/\/+$/, '')}/set_webhook`,
    headers: { 'X-Viber-Auth-Token': viber.authToken, 'content-type': 'application/json' },
    body: {
      url: `${publicUrl.replace(/\/+$/, '')}/webhooks/viber/${facility.id}`,
      event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'],
      send_name: false,
      send_photo: false,
    },
  };
}
