import { fail, isObject, listed, pass, skip, warn } from '../check.js';
import { bodyHint, describe } from '../probe.js';
import { HAS_OFFSET, instant, showInstant } from '../time.js';
import { is2xx } from './exchange.js';
import type { Check } from './list.js';
import type { AvailabilityState, MonthRead, SlotSeen } from './read-state.js';

const NO_TARGET = 'no calendar with an appointment type to query';

type SlotsRead = Pick<MonthRead, 'form' | 'slots' | 'times'>;

/** `{"slots": [{start, end}]}`: every start and end is a date-time to look at. */
function readSlotList(list: unknown[], zone: string): SlotsRead {
  const times: string[] = [];
  const slots: SlotSeen[] = [];
  for (const s of list) {
    const start = isObject(s) ? s.start : undefined;
    const end = isObject(s) ? s.end : undefined;
    times.push(typeof start === 'string' ? start : String(start));
    if (typeof end === 'string') times.push(end);
    slots.push({ start: typeof start === 'string' ? start : String(start), at: instant(start, zone) });
  }
  return { form: 'slots', slots, times };
}

/** The tolerated `{"dates": [{date, times: ["09:00", …]}]}` form: a bare time is on its date. */
function readGroupedDates(dates: unknown[], zone: string): SlotsRead {
  const times: string[] = [];
  const slots: SlotSeen[] = [];
  for (const d of dates) {
    if (!isObject(d) || typeof d.date !== 'string' || !Array.isArray(d.times)) continue;
    for (const t of d.times) {
      const text = String(t);
      times.push(text);
      const start = /^\d{2}:\d{2}(:\d{2})?$/.test(text) ? `${d.date}T${text.length === 5 ? `${text}:00` : text}` : text;
      slots.push({ start, at: instant(start, zone) });
    }
  }
  return { form: 'grouped', slots, times };
}

function readSlots(body: unknown, zone: string): SlotsRead {
  if (isObject(body) && Array.isArray(body.slots)) return readSlotList(body.slots, zone);
  if (isObject(body) && Array.isArray(body.dates)) return readGroupedDates(body.dates, zone);
  return { form: 'unknown', slots: [], times: [] };
}

export const allSlots = (state: AvailabilityState): SlotSeen[] => state.perMonth.flatMap((m) => m.slots);
const allTimes = (state: AvailabilityState): string[] => state.perMonth.flatMap((m) => m.times);

const availabilityShape: Check<AvailabilityState> = {
  id: 'availability.shape',
  title: ({ months }) => `GET /availability (${months.join(', ')}) answers {"slots": [...]}`,
  async run({ probe, zone, target, months, perMonth }) {
    if (!target) return skip(NO_TARGET);
    for (const month of months) {
      const x = await probe.call('GET', '/availability', {
        query: { month, calendar_id: target.calendarId, appointment_type_id: target.appointmentTypeId },
      });
      perMonth.push({ month, x, ...(is2xx(x) ? readSlots(x.body, zone) : { form: 'unknown' as const, slots: [], times: [] }) });
    }
    const failed = perMonth.filter((m) => !is2xx(m.x) || m.form === 'unknown');
    const where = `calendar ${target.calendarId}, type ${target.appointmentTypeId}`;
    if (failed.length) {
      return fail(`${where}: ${listed(failed.map((m) => (is2xx(m.x) ? `${m.month}: expected {"slots": [...]}, got ${bodyHint(m.x.body)}` : `${m.month}: ${describe(m.x)}`)))}`);
    }
    const counts = perMonth.map((m) => `${m.month}: ${m.slots.length} slots`).join(', ');
    const total = perMonth.reduce((n, m) => n + m.slots.length, 0);
    const grouped = perMonth.filter((m) => m.form === 'grouped');
    if (grouped.length) {
      for (const m of grouped) m.x.tolerated = 'grouped availability';
      return warn(`${where}: grouped {"dates": [...]} form in ${grouped.map((m) => m.month).join(', ')} (tolerated); ${counts}`);
    }
    if (total === 0) return warn(`${where}: no open slots in either month (${counts})`);
    return pass(`${where}: ${counts}`);
  },
};

const availabilityOffsets: Check<AvailabilityState> = {
  id: 'availability.offsets',
  title: 'slot date-times carry an offset',
  run(state) {
    const times = allTimes(state);
    if (times.length === 0) return skip(state.target ? 'no slots to look at' : NO_TARGET);
    const bare = times.filter((t) => !HAS_OFFSET.test(t.trim()));
    if (bare.length === 0) return pass(`${times.length} date-times`);
    for (const m of state.perMonth) if (m.times.some((t) => !HAS_OFFSET.test(t.trim()))) m.x.tolerated ??= 'date-times without offset';
    return warn(`${bare.length} of ${times.length} have no offset (e.g. "${bare[0]}"): read in ${state.zone}`);
  },
};

const availabilityFuture: Check<AvailabilityState> = {
  id: 'availability.future',
  title: 'offered slots are in the future',
  run(state) {
    const slots = allSlots(state);
    const zone = state.zone;
    if (slots.length === 0) return skip(state.target ? 'no slots to look at' : NO_TARGET);
    const unreadable = slots.filter((s) => Number.isNaN(s.at));
    if (unreadable.length) return fail(`${unreadable.length} unreadable start(s), e.g. "${unreadable[0]!.start}"`);
    const nowMs = state.now().getTime();
    const past = slots.filter((s) => s.at <= nowMs);
    if (past.length) return fail(`${past.length} of ${slots.length} start at or before now, e.g. ${showInstant(past[0]!.at, zone)}`);
    return pass(`${slots.length} slots, first ${showInstant(Math.min(...slots.map((s) => s.at)), zone)}`);
  },
};

export const AVAILABILITY_CHECKS: readonly Check<AvailabilityState>[] = [availabilityShape, availabilityOffsets, availabilityFuture];
