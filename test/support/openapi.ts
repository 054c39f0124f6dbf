/** The contract validator now lives in src/conformance/openapi.ts (the conformance command uses it at runtime). */
export { contractDocument, matchPath, validateRequestBody, validateResponse, validateWebhook } from '../../src/conformance/openapi.js';
