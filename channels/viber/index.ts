/** Viber channel: callback verification and parsing, rendering, rules, sending, webhook setup. */
export { createViberInbound, type ViberInboundOptions } from './inbound.js';
export { createViberSender, type ViberSenderOptions } from './send.js';
export { viberSetupPlan, type ViberSetupRequest } from './setup.js';
export { isBotInitiated, viberPermission, viberStats, UnansweredCounter, VIBER_SESSION_MS, VIBER_UNANSWERED_CAP } from './rules.js';
export { renderViberReply, choiceActionBody, choiceIdFromActionBody, splitAtWords, CHOICE_PREFIX, VIBER_MAX_TEXT, VIBER_MAX_BUTTONS } from './render.js';
export { viberSignatureMatches, signViberBody } from './verify.js';
export { parseViberCallback, mapViberCallback, viberTokenKey, readMessageToken } from './parse.js';
export type * from './types.js';
export { VIBER_STATUS } from './types.js';
