import { Duration, IANAZone } from 'luxon';

/** Small validity checks on top of luxon, used by the config schema. */
export const Temporal = {
  isDuration: (s: string): boolean => /^P/.test(s) && Duration.fromISO(s).isValid,
  isZone: (tz: string): boolean => IANAZone.isValidZone(tz),
};
