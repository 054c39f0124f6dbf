import type { FacilityConfig } from '../../config/schema.js';
import type { Appointment } from '../../core/domain.js';
import { CHOICE, type NoticeDescriptor } from '../notices.js';
import { clinicPhone } from './settings.js';

/** Inside the cutoff the bot no longer moves or cancels an appointment: the patient calls the clinic. */
export const insideCutoff = (f: FacilityConfig, appt: Pick<Appointment, 'start'>, now: number): boolean =>
  Date.parse(appt.start) - now < f.rescheduleCutoffHours * 3_600_000;

/**
 * A reminder (or the attendance question) as it stands when it fires: the confirm choice only while unconfirmed
 * (a confirmed one says so and asks nothing), reschedule/cancel only outside the cutoff, and inside it the
 * clinic's number for changes.
 */
export function shapeReminder(d: NoticeDescriptor, appt: Appointment, f: FacilityConfig, now: number, attendance = false): NoticeDescriptor {
  const confirmed = appt.status === 'CONFIRMED';
  const late = insideCutoff(f, appt, now);
  const choices: NonNullable<NoticeDescriptor['choices']> = [
    ...(confirmed ? [] : [{ id: CHOICE.confirm(appt.appointmentId), key: 'notice.choice.confirm' }]),
    ...(late
      ? []
      : [
          { id: CHOICE.reschedule(appt.appointmentId), key: 'notice.choice.reschedule' },
          { id: CHOICE.cancel(appt.appointmentId), key: 'notice.choice.cancel' },
        ]),
  ];
  const phone = clinicPhone(f);
  const callLine = phone ? { key: 'workflow.callToChange', params: { phone } } : { key: 'workflow.callToChangeNoPhone' };
  const details = Array.isArray(d.params?.details) ? (d.params.details as unknown[]) : [];
  const key = attendance ? 'workflow.attendance' : confirmed ? 'workflow.reminderConfirmed' : d.key;
  const { choices: _old, ...rest } = d;
  return {
    ...rest,
    key,
    params: { ...d.params, details: late ? [...details, callLine] : details },
    ...(choices.length ? { choices } : {}),
  };
}
