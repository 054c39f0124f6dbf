import twilio from 'twilio';

export type FormParams = Record<string, string | string[]>;

/**
 * Reads an `application/x-www-form-urlencoded` body in one linear pass (URLSearchParams); a repeated name
 * becomes an array (as Twilio's validator expects), appended to in place, never copied per value. The
 * object has no prototype, so names like `constructor` or `__proto__` are plain fields.
 */
export function readForm(rawBody: Buffer): FormParams {
  const params: FormParams = Object.create(null) as FormParams;
  for (const [k, v] of new URLSearchParams(rawBody.toString('utf8'))) {
    const prev = params[k];
    if (prev === undefined) params[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else params[k] = [prev, v];
  }
  return params;
}

/**
 * `X-Twilio-Signature`, checked by the twilio package itself: HMAC-SHA1 over the URL Twilio called (our
 * public URL, not the one a proxy forwarded to) plus the sorted POST parameters, keyed with the auth token.
 */
export function twilioSignatureMatches(authToken: string, header: string | undefined, url: string, params: FormParams): boolean {
  if (!header || !url) return false;
  try {
    return twilio.validateRequest(authToken, header, url, params);
  } catch {
    return false; // a URL the validator cannot parse
  }
}

/** Signs a request the way Twilio does (tests, conformance checks). */
export const signTwilioRequest = (authToken: string, url: string, params: FormParams): string =>
  twilio.getExpectedTwilioSignature(authToken, url, params);
