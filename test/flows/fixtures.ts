import type { Calendar, LocaleCode } from '../../src/core/index.js';
import type { FlowContact, FlowFacility } from '../../flows/protocol.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { createChat, type Chat } from '../support/transcript.js';

export const TZ = 'Asia/Manila';
/** Monday 30 Nov 2026, 09:00 Manila */
export const NOW = '2026-11-30T09:00:00+08:00';

export const CALENDARS: Calendar[] = [
  { id: 'cal-cruz', name: 'Dr. Ana Cruz', appointmentTypes: [{ id: 'consult', name: 'Consultation' }, { id: 'follow', name: 'Follow-up' }] },
  { id: 'cal-lab', name: 'Laboratory', appointmentTypes: [{ id: 'blood', name: 'Blood test' }] },
];

export const facility = (over: Partial<FlowFacility> = {}): FlowFacility => ({
  id: 'st-lukes', name: "St. Luke's Clinic", timezone: TZ, locale: 'en', country: 'PH', cutoffHours: 24, askNationalId: false, ...over,
});

export const contact = (over: Partial<FlowContact> = {}): FlowContact => ({ id: 'c1', channel: 'messenger', ...over });

export function setup(opts: { locale?: LocaleCode; facility?: Partial<FlowFacility>; contact?: Partial<FlowContact>; calendars?: Calendar[]; confirmSupported?: boolean; startAt?: string } = {}): { chat: Chat; provider: FakeProvider } {
  const calendars = opts.calendars ?? CALENDARS;
  const provider = new FakeProvider(calendars, { timezone: TZ, from: '2026-12-01', days: 70, confirmSupported: opts.confirmSupported ?? true });
  const chat = createChat({
    facility: facility({ locale: opts.locale ?? 'en', ...opts.facility }),
    contact: contact(opts.contact),
    calendars,
    provider,
    startAt: opts.startAt ?? NOW,
  });
  return { chat, provider };
}
