/** Facebook Messenger channel: webhook handshake and verification, parsing, rendering, rules, sending, page setup. */
export { handshake, signBody, type HandshakeResult } from './verify.js';
export { createMessengerInbound } from './inbound.js';
export { GET_STARTED_PAYLOAD } from './parse.js';
export { renderReply, matchNumberedChoice, splitText, MESSENGER_LIMITS } from './render.js';
export { planSend, permission, insideWindow, WINDOW_MS, type SendPlan } from './rules.js';
export { createMessengerSender, type MessengerSender, type MessengerSenderOptions } from './send.js';
export { messengerSetupPlan, messengerProfile, MENU_PAYLOADS, SUBSCRIBED_FIELDS, type SetupRequest } from './setup.js';
export type * from './types.js';
