/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date, as milliseconds from `now`; undefined when
 * absent or unreadable (a blank value is unreadable, not "retry at once"). The one reader for every
 * outbound client (platforms and the provider).
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // an HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); a bare "-5" is not one
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
