/** Failures of the store, told apart by `code` so callers can decide without parsing messages. */
export type StoreErrorCode =
  | 'bad_url'
  | 'bad_namespace'
  | 'unreachable'
  | 'not_found'
  | 'lock_timeout'
  | 'claim_stuck';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const isStoreError = (e: unknown, code?: StoreErrorCode): e is StoreError =>
  e instanceof StoreError && (code === undefined || e.code === code);
