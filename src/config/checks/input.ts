import type { CheckOptions } from '../checks.js';

/** The raw config as the rules read it: every value may still be of the wrong type. */
export interface ConfigInput {
  root: Record<string, unknown>;
  /** `facilities`, each entry an object (a non-object entry reads as `{}`) */
  facilities: Record<string, unknown>[];
  opts: CheckOptions;
}

export type Report = (path: string, message: string) => void;

export const rec = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `facilities[2].channels.sms.from` */
export const facilityPath = (i: number, ...rest: string[]) => [`facilities[${i}]`, ...rest].join('.');

/** A field of one of the facility's channels (`channels.<channel>.<field>`), whatever its type. */
export const channelField = (f: Record<string, unknown>, channel: string, field: string): unknown => rec(rec(f.channels)?.[channel])?.[field];

export function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
