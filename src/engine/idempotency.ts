import { createHash } from 'node:crypto';

/**
 * A UUID-shaped key derived from a name: the same turn re-run after a crash asks the provider with the
 * same key, so it books nothing twice (contract §1.4).
 */
export function idempotencyKey(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
