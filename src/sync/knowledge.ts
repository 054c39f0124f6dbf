import { visitLines, type Appointment, type KnowledgeLine, type VisitKnowledge } from '../core/index.js';

/**
 * A reminder's lines about the visit (address, map, room, preparation, what to bring, when to arrive), from the
 * facility's config; only what is configured (a reminder never adds the confirmation's usual "15 minutes").
 */
export const reminderDetails = (knowledge: VisitKnowledge | undefined, appt: Pick<Appointment, 'calendarId' | 'appointmentTypeId'>): KnowledgeLine[] =>
  visitLines(knowledge, appt.calendarId, appt.appointmentTypeId, false);
