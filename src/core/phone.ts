import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 for a phone as written (by a patient or a desk), read with the facility's country as default; undefined when it is no valid number. */
export function normalizePhone(raw: string | undefined, country: string): string | undefined {
  if (!raw) return undefined;
  const p = parsePhoneNumberFromString(raw, country as CountryCode);
  return p?.isValid() ? p.number : undefined;
}
