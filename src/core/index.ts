export * from './result.js';
export * from './status.js';
export * from './domain.js';
export * from './messages.js';
export * from './provider.js';
export * from './channel.js';
export * from './knowledge.js';
