import type { Keyv } from 'keyv';
import type { KeyValue } from '../types.js';

/** The store's KeyValue over any keyv instance (keyv keeps the value's expiry beside it). */
export class KeyvValues implements KeyValue {
  constructor(private readonly keyv: Keyv) {}

  async get<T>(key: string): Promise<T | undefined> {
    const value = (await this.keyv.get(key)) as T | null | undefined;
    return value ?? undefined;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, value, ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    return this.keyv.delete(key);
  }
}

/** SQL and Redis take no infinities in a score range: clamp them to the largest finite doubles. */
export const finiteScore = (n: number): number =>
  Number.isFinite(n) ? n : n > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
