/** WhatsApp Cloud API channel: webhook handshake and verification, parsing, rendering, rules, sending, setup. */
export { whatsapp, WHATSAPP_PATH, WHATSAPP_BODY_LIMIT } from './module.js';
export { learnWhatsApp, whatsappOptedOut } from './learn.js';
export { handshake, signBody, readSignature, signatureMatches, findSigner, type HandshakeResult } from './verify.js';
export { createWhatsAppInbound } from './inbound.js';
export { readEnvelope, toInbound, toReceipt, addressOf, sendTarget, whatsappNumbers } from './parse.js';
export { renderReply, renderTemplate, templateText, matchNumberedChoice, splitText, truncate, composeBody, WHATSAPP_LIMITS, type RenderOptions } from './render.js';
export { planSend, permission, insideWindow, stateFor, WINDOW_MS, type SendPlan } from './rules.js';
export { createWhatsAppSender, buildRequests, isRetryableGraph, readGraphError, WHATSAPP_ERRORS, type WhatsAppSender, type WhatsAppSenderOptions } from './send.js';
export { whatsappSetupPlan, SUBSCRIBED_FIELDS, WEBHOOK_PATH, type WhatsAppSetupPlan, type WhatsAppSetupRequest } from './setup.js';
export type * from './types.js';
