/**
 * What every bench process shares: the test facility's secrets and ids, and the platforms' webhook
 * bodies, signed the platforms' way (node crypto, the twilio package). Bodies are built as strings, so
 * a loader can make one per request cheaply. The facility's values come from test/support/fixtures.ts (no vitest).
 */
import { createHmac, randomBytes } from 'node:crypto';
import twilio from 'twilio';

import { FACILITY, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM } from '../test/support/fixtures.js';

export { FACILITY, PAGE_ID, PUBLIC_URL, SECRETS, SMS_FROM } from '../test/support/fixtures.js';

export type Channel = 'messenger' | 'viber' | 'sms';
export const CHANNELS: readonly Channel[] = ['messenger', 'viber', 'sms'];

export const PATHS: Record<Channel, string> = {
  messenger: '/webhooks/messenger',
  viber: `/webhooks/viber/${FACILITY}`,
  sms: '/webhooks/sms',
};

export interface SignedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export const messengerSignature = (body: string) => `sha256=${createHmac('sha256', SECRETS.appSecret).update(body).digest('hex')}`;
export const viberSignature = (body: string) => createHmac('sha256', SECRETS.viberToken).update(body).digest('hex');

/** a Messenger text message (or a tapped quick reply) from `psid` */
export function messengerRequest(psid: string, mid: string, text: string, quickReply?: string): SignedRequest {
  const now = Date.now();
  const message = { mid, text, ...(quickReply ? { quick_reply: { payload: quickReply } } : {}) };
  const body = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: now, messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now, message }] }] });
  return { path: PATHS.messenger, headers: { 'content-type': 'application/json', 'x-hub-signature-256': messengerSignature(body) }, body };
}

/** a Viber text message; `token` is Viber's message_token (an int64, unique per message) */
export function viberRequest(userId: string, token: number, text: string): SignedRequest {
  const body = JSON.stringify({
    event: 'message',
    timestamp: Date.now(),
    chat_hostname: 'SN-CHAT-01_',
    message_token: token,
    sender: { id: userId, name: 'Viber User', avatar: 'https://example.org/a.jpg', language: 'en', country: 'PH', api_version: 10 },
    message: { type: 'text', text },
    silent: false,
  });
  return { path: PATHS.viber, headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignature(body) }, body };
}

/** an incoming SMS as Twilio posts it, signed against publicUrl + path */
export function smsRequest(from: string, sid: string, text: string): SignedRequest {
  const params: Record<string, string> = {
    ToCountry: 'PH', ToState: '', SmsMessageSid: sid, NumMedia: '0', ToCity: '', FromZip: '', SmsSid: sid, FromState: '', SmsStatus: 'received',
    FromCity: '', Body: text, FromCountry: 'PH', To: SMS_FROM, MessagingServiceSid: '', ToZip: '', NumSegments: '1', MessageSid: sid,
    AccountSid: SECRETS.twilioSid, From: from, ApiVersion: '2010-04-01',
  };
  const signature = twilio.getExpectedTwilioSignature(SECRETS.twilioToken, `${PUBLIC_URL}${PATHS.sms}`, params);
  return { path: PATHS.sms, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() };
}

/**
 * Unique inbound messages for one channel: request `n` comes from sender `n % senders` and carries an id
 * never used before (a run-unique prefix), so no request is a redelivery.
 */
export function inboundGenerator(channel: Channel, senders: number, text = 'hi'): (n: number) => SignedRequest {
  const run = randomBytes(4).toString('hex');
  const tokenBase = Date.now() * 1000; // Viber message tokens are int64; this stays below 2^53
  switch (channel) {
    case 'messenger':
      return (n) => messengerRequest(`7${String(n % senders).padStart(15, '0')}`, `m_${run}_${n}`, text);
    case 'viber':
      return (n) => viberRequest(`bench${String(n % senders).padStart(5, '0')}${run}==`, tokenBase + n, text);
    case 'sms':
      return (n) => smsRequest(`+63918${String(n % senders).padStart(7, '0')}`, `SM${run}${n.toString(16).padStart(24, '0')}`, text);
  }
}
