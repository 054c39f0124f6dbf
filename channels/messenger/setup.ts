import type { LocaleCode } from '../../src/core/domain.js';
import type { FacilityConfig } from '../../src/config/schema.js';
import { GET_STARTED_PAYLOAD } from './parse.js';
import { appSecretProof, graphAuthHeaders } from './send.js';
import { truncate } from './render.js';
import type { MessengerProfile } from './types.js';

/** Payloads of the persistent menu; they arrive as postbacks with `choiceId` set to these. */
export const MENU_PAYLOADS = { book: 'book', myAppointments: 'my_appointments', help: 'help' } as const;

/** Webhook fields the page must be subscribed to. */
export const SUBSCRIBED_FIELDS = ['messages', 'messaging_postbacks', 'messaging_referrals', 'message_deliveries', 'message_reads', 'message_echoes'] as const;

export interface SetupRequest {
  method: 'POST';
  /** carries `appsecret_proof`, never the token */
  url: string;
  /** the page token, as `Authorization: Bearer …`: never print it */
  headers: Record<string, string>;
  body?: unknown;
  description: string;
}

const LABELS: Record<LocaleCode, { book: string; mine: string; help: string; greeting: (name: string) => string }> = {
  en: { book: 'Book an appointment', mine: 'My appointments', help: 'Help', greeting: (n) => `Welcome to ${n}. Book, change or confirm your appointments here.` },
  fil: { book: 'Magpa-appointment', mine: 'Aking appointments', help: 'Tulong', greeting: (n) => `Maligayang pagdating sa ${n}. Dito magpa-book, magbago o magkumpirma ng appointment.` },
  id: { book: 'Buat janji temu', mine: 'Janji temu saya', help: 'Bantuan', greeting: (n) => `Selamat datang di ${n}. Buat, ubah, atau konfirmasi janji temu Anda di sini.` },
};

/** Greeting text is limited to 160 characters by the Messenger Profile API. */
const GREETING_MAX = 160;
/** Persistent-menu postback titles are limited to 30 characters. */
const MENU_TITLE_MAX = 30;

/** The Messenger Profile body: Get Started (`start`), greeting, and the persistent menu (book / my appointments / help). */
export function messengerProfile(facility: Pick<FacilityConfig, 'name' | 'locale'>): MessengerProfile {
  const l = LABELS[facility.locale] ?? LABELS.en;
  return {
    get_started: { payload: GET_STARTED_PAYLOAD },
    greeting: [{ locale: 'default', text: truncate(l.greeting(facility.name), GREETING_MAX) }],
    persistent_menu: [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: [
          { type: 'postback', title: truncate(l.book, MENU_TITLE_MAX), payload: MENU_PAYLOADS.book },
          { type: 'postback', title: truncate(l.mine, MENU_TITLE_MAX), payload: MENU_PAYLOADS.myAppointments },
          { type: 'postback', title: truncate(l.help, MENU_TITLE_MAX), payload: MENU_PAYLOADS.help },
        ],
      },
    ],
  };
}

/**
 * What `npx frontdesk setup-webhooks` runs (or prints) for one facility's page:
 * 1. install the app on the page for the messaging webhook fields (`POST /{page-id}/subscribed_apps`);
 * 2. set the Messenger Profile (`POST /me/messenger_profile`).
 * The callback URL itself (`{publicUrl}/webhooks/messenger` with the facility's verify token) is an
 * app-level setting made in the App Dashboard (or `POST /{app-id}/subscriptions` with an app token, which
 * this config does not hold); it is named in the first step's description.
 */
export function messengerSetupPlan(facility: FacilityConfig, publicUrl: string, apiBase = 'https://graph.facebook.com/v25.0'): SetupRequest[] {
  const m = facility.channels.messenger;
  if (!m) return [];
  const base = apiBase.replace(/\/+$/, '');
  const proof = appSecretProof(m);
  const headers = graphAuthHeaders(m);
  const callback = `${publicUrl.replace(/\/+$/, '')}/webhooks/messenger`;
  return [
    {
      method: 'POST',
      url: `${base}/${encodeURIComponent(m.pageId)}/subscribed_apps?subscribed_fields=${SUBSCRIBED_FIELDS.join(',')}&appsecret_proof=${proof}`,
      headers,
      description: `subscribe page ${m.pageId} to ${SUBSCRIBED_FIELDS.join(', ')} (the app's callback URL must be ${callback} with this facility's verify token)`,
    },
    {
      method: 'POST',
      url: `${base}/me/messenger_profile?appsecret_proof=${proof}`,
      headers,
      body: messengerProfile(facility),
      description: `set Get Started (payload "${GET_STARTED_PAYLOAD}"), greeting and persistent menu for page ${m.pageId}`,
    },
  ];
}
