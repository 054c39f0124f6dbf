import { Webhook } from 'standardwebhooks';

/** Padded standard base64, as Standard Webhooks secrets are written (`whsec_` + base64 of the key). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The key bytes of a `whsec_…` secret, or undefined when standardwebhooks could not use it (bad base64, empty). */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  if (!secret.startsWith('whsec_')) return undefined;
  const b64 = secret.slice('whsec_'.length);
  if (b64.length === 0 || !BASE64.test(b64)) return undefined;
  try {
    new Webhook(secret); // the same decoder the verifier uses at start-up
  } catch {
    return undefined;
  }
  return Buffer.from(b64, 'base64');
}

/** Provider webhook secrets: at least this many bytes once decoded. */
export const MIN_WEBHOOK_SECRET_BYTES = 24;
/** App secrets, tokens and API keys: at least this many characters. */
export const MIN_TOKEN_CHARS = 16;
