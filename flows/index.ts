export * from './protocol.js';
export { conversationMachine, type ConversationMachine } from './conversation.js';
export type { ConversationContext } from './context.js';
export type { MessageKey } from './messages.js';
export { parseDob, parsePhone, parseAppointmentDate, parseTimeOfDay, parseName, parseNationalId } from './parse.js';
export { hasIntent, normalize, damerauLevenshtein } from './intents.js';
