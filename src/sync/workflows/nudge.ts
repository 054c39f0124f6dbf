import { DateTime } from 'luxon';
import type { Appointment, Contact, Slot } from '../../core/domain.js';
import type { FacilityConfig } from '../../config/schema.js';
import type { SyncDeps } from '../apply.js';
import { CHOICE, type NoticeDescriptor } from '../notices.js';

/** how many open times a rebook nudge offers */
export const NUDGE_SLOTS = 3;
/** months of availability looked through for them (this one and the next) */
const NUDGE_MONTHS = 2;

/**
 * Choice ids of a rebook nudge, as ../../../flows/protocol.ts reads them (`nudge:<calendarId>:<typeId>:<ISO start>`;
 * no start: another time with that doctor and type; `nudge:no`). Short: a Messenger payload holds 1000 characters.
 */
export const NUDGE_CHOICE = {
  slot: (calendarId: string, appointmentTypeId: string, start: string) => `nudge:${calendarId}:${appointmentTypeId}:${start}`,
  otherTime: (calendarId: string, appointmentTypeId: string) => `nudge:${calendarId}:${appointmentTypeId}:`,
  no: 'nudge:no',
} as const;

/** The contact said STOP somewhere (SMS, a platform's block): no offer goes to them. */
export const optedOut = (contact: Contact): boolean => Object.values(contact.channels ?? {}).some((s) => s?.optedOut);

/** The next open times of the appointment's doctor and type from now on (this month and the next), earliest first. */
export async function nextSlots(deps: Pick<SyncDeps, 'availability' | 'now' | 'logger'>, f: FacilityConfig, appt: Appointment, n = NUDGE_SLOTS): Promise<Slot[] | undefined> {
  if (!deps.availability) return undefined;
  const now = deps.now();
  const first = DateTime.fromMillis(now, { zone: f.timezone }).startOf('month');
  const found = new Map<number, Slot>();
  for (let i = 0; i < NUDGE_MONTHS && found.size < n; i++) {
    const month = first.plus({ months: i }).toFormat('yyyy-MM');
    const r = await deps.availability(f.id, { month, calendarId: appt.calendarId, appointmentTypeId: appt.appointmentTypeId });
    if (!r.ok) {
      deps.logger.warn({ facilityId: f.id, appointmentId: appt.appointmentId, error: r.error.kind }, 'rebook nudge: availability failed');
      return undefined;
    }
    for (const s of r.value) {
      const ms = Date.parse(s.start);
      if (ms > now && !found.has(ms)) found.set(ms, s);
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).slice(0, n).map(([, s]) => s);
}

/** The nudge: the next open times as choices, another time, no thanks; with none (or no answer), an offer to book. */
export function nudgeDescriptor(appt: Appointment, slots: Slot[] | undefined, params: Record<string, unknown>): NoticeDescriptor {
  if (!slots?.length) {
    return { key: 'workflow.nudgeNoSlots', params, choices: [{ id: CHOICE.book, key: 'notice.choice.bookAgain' }, { id: NUDGE_CHOICE.no, key: 'workflow.choice.noThanks' }] };
  }
  return {
    key: 'workflow.nudge',
    params,
    choices: [
      ...slots.map((s) => ({ id: NUDGE_CHOICE.slot(appt.calendarId, appt.appointmentTypeId, s.start), key: 'workflow.choice.slot', params: { slotShort: s.start } })),
      { id: NUDGE_CHOICE.otherTime(appt.calendarId, appt.appointmentTypeId), key: 'workflow.choice.otherTime' },
      { id: NUDGE_CHOICE.no, key: 'workflow.choice.noThanks' },
    ],
  };
}
