import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Store } from '../store/types.js';

/** One-time codes by SMS: 6 digits, 10 minutes, 5 tries, 3 codes per number per hour. */
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_TRIES = 5;
export const CODES_PER_WINDOW = 3;
export const CODE_WINDOW_MS = 60 * 60_000;

export type IssueResult = { ok: true; code: string } | { ok: false; reason: 'rate_limited' };
export type CheckResult =
  | { status: 'verified'; phone: string }
  | { status: 'wrong'; triesLeft: number }
  | { status: 'expired' | 'locked' | 'none' };

const digest = (salt: string, code: string) => createHmac('sha256', salt).update(code).digest();

/** A fresh code for `phone`, kept only as a salted hash; the caller sends it and forgets it. */
export async function issueCode(store: Store, facilityId: string, contactId: string, phone: string, now: Date): Promise<IssueResult> {
  if (!(await store.codes.takeSendSlot(facilityId, phone, CODES_PER_WINDOW, CODE_WINDOW_MS, contactId))) return { ok: false, reason: 'rate_limited' };
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16).toString('hex');
  await store.codes.put(
    facilityId,
    contactId,
    { phone, salt, hash: digest(salt, code).toString('hex'), expiresAt: new Date(now.getTime() + CODE_TTL_MS).toISOString(), tries: 0 },
    CODE_TTL_MS,
  );
  return { ok: true, code };
}

/** Compares in constant time; every wrong try counts, the fifth locks the code. */
export async function checkCode(store: Store, facilityId: string, contactId: string, typed: string, now: Date): Promise<CheckResult> {
  const rec = await store.codes.get(facilityId, contactId);
  if (!rec) return { status: 'none' };
  if (rec.verifiedAt) return { status: 'verified', phone: rec.phone };
  if (Date.parse(rec.expiresAt) <= now.getTime()) return { status: 'expired' };
  if (rec.tries >= MAX_TRIES) return { status: 'locked' };
  const candidate = /^\d{6}$/.test(typed) ? typed : '';
  const right = candidate !== '' && timingSafeEqual(digest(rec.salt, candidate), Buffer.from(rec.hash, 'hex'));
  const left = Date.parse(rec.expiresAt) - now.getTime();
  if (right) {
    await store.codes.put(facilityId, contactId, { ...rec, verifiedAt: now.toISOString() }, left);
    return { status: 'verified', phone: rec.phone };
  }
  const tries = rec.tries + 1;
  await store.codes.put(facilityId, contactId, { ...rec, tries }, left);
  return tries >= MAX_TRIES ? { status: 'locked' } : { status: 'wrong', triesLeft: MAX_TRIES - tries };
}

/** "0917 ••• 4567": enough for the patient to recognise the number, too little to learn it. */
export function maskPhone(e164: string): string {
  const national = parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
  const digits = national.replace(/\D/g, '').length;
  let seen = 0;
  return national.replace(/\d/g, (d) => {
    seen += 1;
    return seen <= 2 || seen > digits - 4 ? d : '•';
  });
}
