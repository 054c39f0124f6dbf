import type { Appointment, ProviderAppointment } from '../core/domain.js';
import type { BookingSubject } from './flow.js';
import type { Store } from '../store/types.js';

/** an appointment.changed the flow emitted, with the id it replaced when a reschedule answered with a new one */
export interface AppointmentChange {
  action: 'created' | 'rescheduled' | 'canceled' | 'confirmed';
  appointment: ProviderAppointment;
  confirmedLocally?: boolean;
  previousId?: string;
  /** for a created appointment: whom the contact booked it for */
  subject?: BookingSubject;
}

/** writes a change the patient made in chat into our mirror of the facility's appointments */
export async function recordAppointmentChange(store: Store, facilityId: string, contactId: string, change: AppointmentChange): Promise<void> {
  const { appointment: appt, previousId } = change;
  const previous = previousId && previousId !== appt.appointmentId ? await store.appointments.get(facilityId, previousId) : undefined;
  await store.appointments.upsert(facilityId, appt.appointmentId, (cur) => {
    const base: Partial<Appointment> = { ...previous, ...cur };
    const previousIds = [...(base.previousIds ?? [])];
    if (previousId && previousId !== appt.appointmentId && !previousIds.includes(previousId)) previousIds.push(previousId);
    const next: Appointment = {
      ...base,
      ...appt,
      facilityId,
      contactId: base.contactId ?? contactId,
      source: base.source ?? 'bot',
    };
    if (previousIds.length) next.previousIds = previousIds;
    if (change.action === 'created') {
      next.creationNoticeSent = true;
      next.bookedBy = base.bookedBy ?? contactId;
    }
    if (change.action === 'confirmed' && change.confirmedLocally) {
      next.confirmedLocally = true;
      next.status = 'CONFIRMED';
    }
    return next;
  });
}
