import type { Exchange } from '../probe.js';

export const is2xx = (x: Exchange) => x.status >= 200 && x.status < 300;
export const isAuthRefusal = (x: Exchange) => x.status === 401 || x.status === 403;

/** An id as text: a non-empty string, or a number (which the contract says should have been a string). */
export const idText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
