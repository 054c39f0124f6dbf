import type { FacilityConfig } from '../../src/config/schema.js';

/** The webhook field to subscribe: inbound messages and the statuses of ours both arrive in it. */
export const SUBSCRIBED_FIELDS = ['messages'] as const;

export const WEBHOOK_PATH = '/webhooks/whatsapp';

export interface WhatsAppSetupRequest {
  method: 'GET';
  url: string;
  /** the access token, as `Authorization: Bearer …`: never print it */
  headers: Record<string, string>;
  description: string;
}

export interface WhatsAppSetupPlan {
  /** read-only calls that check the config works (run by `setup-webhooks --apply`; they change nothing) */
  requests: WhatsAppSetupRequest[];
  /** what an operator does in Meta's dashboards: nothing in this config can do it */
  manual: string[];
}

/**
 * What `npx frontdesk setup-webhooks` shows for one facility's WhatsApp number. Nothing here can be registered
 * with the facility's credentials:
 * - the callback URL, its verify token and the `messages` field are app-level settings (App Dashboard →
 *   WhatsApp → Configuration, or `POST /{app-id}/subscriptions` with an app token this config does not hold);
 * - subscribing the app to the business account (`POST /{waba-id}/subscribed_apps`) needs the WABA id, which is
 *   not in the config (WhatsApp Manager does it when the number is added to the app);
 * - templates are submitted and approved in WhatsApp Manager.
 * So the plan is one read-only check (the number, read with the token) and the steps to do by hand. No secret
 * is written into a step: the verify token is named, not shown. Undefined when the facility has no WhatsApp.
 */
export function whatsappSetupPlan(facility: FacilityConfig, publicUrl: string, apiBase = 'https://graph.facebook.com/v25.0'): WhatsAppSetupPlan | undefined {
  const c = facility.channels.whatsapp;
  if (!c) return undefined;
  const base = apiBase.replace(/\/+$/, '');
  const callback = `${publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const manual = [
    `Meta App Dashboard → WhatsApp → Configuration: set the callback URL to ${callback} and the verify token to this facility's channels.whatsapp.verifyToken (one URL serves every number; any facility's token passes the check)`,
    `On the same page, subscribe the webhook field ${SUBSCRIBED_FIELDS.join(', ')} (statuses of sent messages come in it too)`,
    `Make sure the app is subscribed to the WhatsApp Business Account that owns phone number id ${c.phoneNumberId} (POST /{waba-id}/subscribed_apps with a system-user token)`,
    `channels.whatsapp.appSecret must be the App Secret of that same app (App settings → Basic): Meta signs every delivery with it`,
  ];
  const t = c.templates;
  const named = [t?.reminder, t?.update].filter((x): x is string => typeof x === 'string');
  if (named.length > 0) {
    manual.push(
      `WhatsApp Manager → Message templates: ${named.map((n) => `"${n}"`).join(' and ')} must be approved in the UTILITY category, language ${t?.language ?? 'en'}, with exactly one body variable {{1}} (it receives the message text on one line)`,
    );
  } else {
    manual.push('No utility templates are configured (channels.whatsapp.templates): reminders and updates outside the 24-hour window will not go out on WhatsApp');
  }
  return {
    requests: [
      {
        method: 'GET',
        url: `${base}/${encodeURIComponent(c.phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`,
        headers: { authorization: `Bearer ${c.accessToken}` },
        description: `check that the access token reads phone number ${c.phoneNumberId} (changes nothing)`,
      },
    ],
    manual,
  };
}
