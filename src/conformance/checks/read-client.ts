import { createProviderClient } from '../../provider/client.js';
import { fail, pass } from '../check.js';
import type { Check } from './list.js';
import type { AvailabilityState } from './read-state.js';

/** The same reads through frontdesk's own provider client: what the bot will actually make of the answers. */
const clientReads: Check<AvailabilityState> = {
  id: 'client.reads',
  title: "frontdesk's provider client reads the calendars and slots",
  async run({ opts, zone, target, months }) {
    const client = createProviderClient({
      facilityId: 'conformance',
      baseUrl: opts.baseUrl,
      userId: opts.userId,
      apiKey: opts.apiKey,
      timezone: zone,
      timeoutMs: opts.requestTimeoutMs ?? 15_000,
      retry: { maxAttempts: 1 },
      ...(opts.defaultAppointmentType ? { defaultAppointmentType: opts.defaultAppointmentType } : {}),
    });
    const cals = await client.listCalendars();
    if (!cals.ok) return fail(`listCalendars: ${cals.error.kind} — ${cals.error.message}`);
    if (!target) return pass(`${cals.value.length} calendars (no availability to read)`);
    const read = await client.availability({ month: months[1], calendarId: target.calendarId, appointmentTypeId: target.appointmentTypeId });
    if (!read.ok) return fail(`availability: ${read.error.kind} — ${read.error.message}`);
    return pass(`${cals.value.length} calendars, ${read.value.length} slots in ${months[1]}`);
  },
};

export const CLIENT_CHECKS: readonly Check<AvailabilityState>[] = [clientReads];
