/**
 * What a clinic tells patients about a visit, as lines under a message (a list param renders as lines; see
 * src/i18n). The shape is the config's (`info`, `calendars`, `appointmentTypes`), so the flows' plain copy and
 * the facility config both fit. A fact not configured is not said.
 */
export interface VisitKnowledge {
  info?: { address?: string; mapUrl?: string; hours?: string; hotline?: string; parking?: string };
  calendars?: Record<string, { specialty?: string; room?: string; clinicDays?: string }>;
  appointmentTypes?: Record<string, { preparation?: string; bring?: string; arriveEarlyMinutes?: number }>;
}

export interface KnowledgeLine {
  key: string;
  params?: Record<string, unknown>;
}

const line = (key: string, params: Record<string, unknown>): KnowledgeLine => ({ key, params });

/** "Please arrive 30 minutes early" for the type's setting (0: nothing), else the clinic's usual sentence. */
export function arriveEarlyLine(kn: VisitKnowledge | undefined, typeId: string | undefined): KnowledgeLine | undefined {
  const minutes = typeId ? kn?.appointmentTypes?.[typeId]?.arriveEarlyMinutes : undefined;
  if (minutes === undefined) return { key: 'booking.arriveEarly' };
  return minutes > 0 ? line('booking.arriveEarlyMinutes', { minutes }) : undefined;
}

/**
 * Where to go and what to have: address, map link, room, preparation, what to bring, when to arrive.
 * `usualArrival`: without the type's own minutes, the clinic's usual "arrive 15 minutes early" (the confirmation has always said it).
 */
export function visitLines(kn: VisitKnowledge | undefined, calendarId: string | undefined, typeId: string | undefined, usualArrival = true): KnowledgeLine[] {
  const info = kn?.info;
  const calendar = calendarId ? kn?.calendars?.[calendarId] : undefined;
  const type = typeId ? kn?.appointmentTypes?.[typeId] : undefined;
  const lines: (KnowledgeLine | false | undefined)[] = [
    !!info?.address && line('booking.address', { address: info.address }),
    !!info?.mapUrl && line('booking.map', { mapUrl: info.mapUrl }),
    !!calendar?.room && line('booking.room', { room: calendar.room }),
    !!type?.preparation && line('booking.preparation', { preparation: type.preparation }),
    !!type?.bring && line('booking.bring', { bring: type.bring }),
    (usualArrival || (!!typeId && kn?.appointmentTypes?.[typeId]?.arriveEarlyMinutes !== undefined)) && arriveEarlyLine(kn, typeId),
  ];
  return lines.filter((l): l is KnowledgeLine => !!l);
}

/** The "Clinic info" answer's lines: opening hours, address and map, hotline, parking. */
export function clinicInfoLines(kn: VisitKnowledge | undefined): KnowledgeLine[] {
  const info = kn?.info;
  const lines: (KnowledgeLine | false | undefined)[] = [
    !!info?.hours && line('info.hours', { hours: info.hours }),
    !!info?.address && line('info.address', { address: info.address }),
    !!info?.mapUrl && line('info.map', { mapUrl: info.mapUrl }),
    !!info?.hotline && line('info.hotline', { hotline: info.hotline }),
    !!info?.parking && line('info.parking', { parking: info.parking }),
  ];
  return lines.filter((l): l is KnowledgeLine => !!l);
}
