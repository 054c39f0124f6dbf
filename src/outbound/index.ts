/** The outbound room: one HTTP client for every call frontdesk makes (platform send APIs, the hospital's API). */
export { call, retryableByDefault, type CallOptions, type HttpMethod, type OutboundOutcome, type OutboundRequest } from './client.js';
export { callPlatform, type PlatformCallOptions, type PlatformRequest, type PlatformResponse } from './platform.js';
export { createBreaker, CircuitState, type Breaker, type BreakerOptions } from './breaker.js';
export type { BackoffOptions } from './backoff.js';
export type { Limiter } from './limiter.js';
