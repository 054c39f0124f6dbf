export const APPOINTMENT_STATUSES = ['SCHEDULED', 'RESCHEDULED', 'CANCELED', 'CONFIRMED', 'SHOW', 'NO SHOW'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

const SPELLINGS: Record<string, AppointmentStatus> = {
  SCHEDULED: 'SCHEDULED',
  RESCHEDULED: 'RESCHEDULED',
  CANCELED: 'CANCELED',
  CANCELLED: 'CANCELED',
  CONFIRMED: 'CONFIRMED',
  SHOW: 'SHOW',
  'NO SHOW': 'NO SHOW',
  NO_SHOW: 'NO SHOW',
  NOSHOW: 'NO SHOW',
};

/** Reads a provider's status, tolerating the spellings the contract allows; undefined when unknown. */
export function parseStatus(raw: unknown): AppointmentStatus | undefined {
  if (typeof raw !== 'string') return undefined;
  return SPELLINGS[raw.trim().toUpperCase().replace(/-/g, '_')] ?? SPELLINGS[raw.trim().toUpperCase()];
}

/** Terminal for reminders: nothing more is pushed to the patient about this appointment. */
export const isClosed = (s: AppointmentStatus): boolean => s === 'CANCELED' || s === 'SHOW' || s === 'NO SHOW';

const NEXT: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  SCHEDULED: ['RESCHEDULED', 'CANCELED', 'CONFIRMED', 'SHOW', 'NO SHOW', 'SCHEDULED'],
  RESCHEDULED: ['RESCHEDULED', 'CANCELED', 'CONFIRMED', 'SHOW', 'NO SHOW'],
  CONFIRMED: ['RESCHEDULED', 'CANCELED', 'CONFIRMED', 'SHOW', 'NO SHOW'],
  CANCELED: ['CANCELED'],
  SHOW: ['SHOW'],
  'NO SHOW': ['NO SHOW'],
};

/** The contract's status table (§2): is `to` reachable from `from`? */
export const canTransition = (from: AppointmentStatus, to: AppointmentStatus): boolean => NEXT[from].includes(to);
