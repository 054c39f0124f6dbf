import type { StoreBackend } from '../types.js';

/** A backend scoped to one namespace; `clearNamespace` drops every value, set and claim under it (tests, resets). */
export interface NamespacedBackend extends StoreBackend, ScanningBackend {
  readonly namespace: string;
  clearNamespace(): Promise<void>;
}

/**
 * What the retention sweeper and the erasure need beyond keyed access: walking what is stored. Keys,
 * set names and claim keys are yielded without the namespace, in pages (never everything at once).
 */
export interface ScanningBackend {
  /** live kv keys starting with `prefix` */
  scanKeys(prefix: string): AsyncIterable<string>;
  /** names of sorted sets (with at least one member) starting with `prefix` */
  scanSets(prefix: string): AsyncIterable<string>;
  /** live claims whose key starts with `prefix`, with their owner */
  scanClaims(prefix: string): AsyncIterable<{ key: string; owner: string }>;
  /**
   * Deletes expired values and claims for good. SQLite and Postgres keep an expired row until someone
   * reads it (keyv checks expiry on read); Redis expires keys itself. Returns the rows deleted.
   */
  purgeExpired(): Promise<number>;
}

export const canScan = (b: StoreBackend): b is StoreBackend & ScanningBackend =>
  typeof (b as Partial<ScanningBackend>).scanKeys === 'function' && typeof (b as Partial<ScanningBackend>).purgeExpired === 'function';

/** rows per page when walking a table or a keyspace */
export const SCAN_PAGE = 500;
