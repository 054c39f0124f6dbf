import type { Indexes, KeyValue } from './types.js';

/** A one-time code sent to a phone, as we keep it: the hash, never the code. */
export interface VerificationCode {
  phone: string;
  salt: string;
  /** hex HMAC-SHA256 of the code keyed by `salt` */
  hash: string;
  expiresAt: string;
  tries: number;
  /** set once the right code was typed: a re-run of that turn finds it verified */
  verifiedAt?: string;
}

/**
 * Key layout:
 *  kv     otp:<f>:<contactId>            the pending code of a contact (TTL: its expiry)
 *  claim  otp-slot:<f>:<e164>:<n>        n = 1…limit: one per code sent to that number (TTL: the window)
 * The slots make "at most N codes per number per window" atomic on every backend, across instances.
 */
const codeKey = (f: string, contactId: string) => `otp:${f}:${contactId}`;
const slotKey = (f: string, e164: string, n: number) => `otp-slot:${f}:${e164}:${n}`;

export class VerificationCodeStore {
  constructor(
    private readonly kv: KeyValue,
    private readonly indexes: Indexes,
  ) {}

  get(facilityId: string, contactId: string): Promise<VerificationCode | undefined> {
    return this.kv.get<VerificationCode>(codeKey(facilityId, contactId));
  }

  async put(facilityId: string, contactId: string, rec: VerificationCode, ttlMs: number): Promise<void> {
    await this.kv.set(codeKey(facilityId, contactId), rec, ttlMs);
  }

  async delete(facilityId: string, contactId: string): Promise<void> {
    await this.kv.delete(codeKey(facilityId, contactId));
  }

  /** takes one of `limit` sending slots of this number for `windowMs`; false when all are taken */
  async takeSendSlot(facilityId: string, e164: string, limit: number, windowMs: number, owner: string): Promise<boolean> {
    for (let n = 1; n <= limit; n++) {
      if (await this.indexes.claim(slotKey(facilityId, e164, n), owner, windowMs)) return true;
    }
    return false;
  }
}
