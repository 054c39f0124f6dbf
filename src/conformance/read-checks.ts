import { createProviderClient } from '../provider/client.js';
import { fail, isObject, listed, pass, runCheck, skip, warn, type Verdict } from './check.js';
import { bodyHint, describe, type Exchange, type Probe } from './probe.js';
import { HAS_OFFSET, instant, showInstant, thisAndNextMonth } from './time.js';
import type { CheckResult, ConformanceOptions } from './types.js';

/** The read-only checks: auth, calendars, patient lookup, availability (contract §1, endpoints 1–3). */

export interface SlotSeen {
  /** the start as it can be sent back in a create/reschedule body */
  start: string;
  at: number;
}

export interface ReadOutcome {
  results: CheckResult[];
  /** the calendar and type the availability (and write) checks use */
  target?: { calendarId: string; appointmentTypeId: string };
  /** every slot read, both months */
  slots: SlotSeen[];
}

interface ReadContext {
  probe: Probe;
  opts: ConformanceOptions;
  now: () => Date;
}

const is2xx = (x: Exchange) => x.status >= 200 && x.status < 300;
const isAuthRefusal = (x: Exchange) => x.status === 401 || x.status === 403;

/** A patient no facility has: the lookup must answer "none". */
export const NOBODY = { name: 'Frontdesk Conformance Nobody', dob: '1900-01-01', phone: '+639990000000' };

interface CalendarItem {
  id: unknown;
  types: unknown[] | undefined;
}

function calendarItems(body: unknown): CalendarItem[] | undefined {
  const list = isObject(body) && Array.isArray(body.calendars) ? body.calendars : Array.isArray(body) ? body : undefined;
  if (!list) return undefined;
  return list.map((c) => (isObject(c) ? { id: c.id, types: Array.isArray(c.appointmentTypes) ? c.appointmentTypes : undefined } : { id: undefined, types: undefined }));
}

const idText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

type AvailabilityForm = 'slots' | 'grouped' | 'unknown';

function readSlots(body: unknown, zone: string): { form: AvailabilityForm; slots: SlotSeen[]; times: string[] } {
  if (isObject(body) && Array.isArray(body.slots)) {
    const times: string[] = [];
    const slots: SlotSeen[] = [];
    for (const s of body.slots) {
      const start = isObject(s) ? s.start : undefined;
      const end = isObject(s) ? s.end : undefined;
      times.push(typeof start === 'string' ? start : String(start));
      if (typeof end === 'string') times.push(end);
      slots.push({ start: typeof start === 'string' ? start : String(start), at: instant(start, zone) });
    }
    return { form: 'slots', slots, times };
  }
  if (isObject(body) && Array.isArray(body.dates)) {
    const times: string[] = [];
    const slots: SlotSeen[] = [];
    for (const d of body.dates) {
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
  return { form: 'unknown', slots: [], times: [] };
}

export async function readChecks({ probe, opts, now }: ReadContext): Promise<ReadOutcome> {
  const results: CheckResult[] = [];
  const zone = opts.timezone;

  results.push(
    await runCheck('auth.required', 'Basic auth is required (no or wrong credentials → 401/403)', async () => {
      const none = await probe.call('GET', '/calendars', { auth: 'none' });
      const wrong = await probe.call('GET', '/calendars', { auth: 'wrong' });
      const problems = [
        ...(isAuthRefusal(none) ? [] : [`without credentials ${describe(none)}`]),
        ...(isAuthRefusal(wrong) ? [] : [`with a wrong API key ${describe(wrong)}`]),
      ];
      return problems.length ? fail(listed(problems)) : pass(`no auth → ${none.status}, wrong key → ${wrong.status}`);
    }),
  );

  let calendars: Exchange | undefined;
  results.push(
    await runCheck('auth.accepted', 'Basic auth with USER_ID:API_KEY is accepted', async () => {
      calendars = await probe.call('GET', '/calendars');
      if (is2xx(calendars)) return pass(describe(calendars));
      return fail(isAuthRefusal(calendars) ? `the credentials were refused: ${describe(calendars)}` : describe(calendars));
    }),
  );

  const items = calendars && is2xx(calendars) ? calendarItems(calendars.body) : undefined;
  const needCalendars = (fn: (items: CalendarItem[], x: Exchange) => Verdict) => () =>
    !calendars || !is2xx(calendars) ? skip('GET /calendars did not succeed') : !items ? skip('GET /calendars returned no calendar list') : fn(items, calendars);

  results.push(
    await runCheck('calendars.shape', 'GET /calendars answers {"calendars": [...]}', () => {
      if (!calendars) return skip('GET /calendars was not reached');
      if (!is2xx(calendars)) return skip(`GET /calendars did not succeed (${calendars.status})`);
      const body = calendars.body;
      if (isObject(body) && Array.isArray(body.calendars)) {
        return body.calendars.length ? pass(`${body.calendars.length} calendars`) : warn('the list is empty: nothing can be booked');
      }
      if (Array.isArray(body)) {
        calendars.tolerated = 'bare calendar array';
        return warn(`a bare array of ${body.length} (tolerated; the contract's form is {"calendars": [...]})`);
      }
      return fail(`expected {"calendars": [...]}, got ${bodyHint(body)}`);
    }),
  );

  results.push(
    await runCheck(
      'calendars.ids',
      'calendar and appointment type ids are strings',
      needCalendars((list, x) => {
        const numeric: string[] = [];
        const missing: string[] = [];
        list.forEach((c, i) => {
          if (typeof c.id === 'number') numeric.push(`calendar ${c.id}`);
          else if (idText(c.id) === undefined) missing.push(`calendar #${i + 1} has no id`);
          (c.types ?? []).forEach((t, j) => {
            const tid = isObject(t) ? t.id : undefined;
            if (typeof tid === 'number') numeric.push(`type ${tid}`);
            else if (idText(tid) === undefined) missing.push(`type #${j + 1} of calendar ${idText(c.id) ?? `#${i + 1}`} has no id`);
          });
        });
        if (missing.length) return fail(listed(missing));
        if (numeric.length) {
          x.tolerated ??= 'numeric ids';
          return warn(`numeric ids (read as strings): ${listed(numeric)}`);
        }
        return pass();
      }),
    ),
  );

  results.push(
    await runCheck(
      'calendars.types',
      'every calendar lists its appointment types',
      needCalendars((list) => {
        const without = list.filter((c) => !c.types || c.types.length === 0).map((c) => idText(c.id) ?? '?');
        const count = list.reduce((n, c) => n + (c.types?.length ?? 0), 0);
        if (without.length === 0) return pass(`${count} types across ${list.length} calendars`);
        const fallback = opts.defaultAppointmentType
          ? `the default type ${opts.defaultAppointmentType.id} will be used`
          : 'the facility\'s default appointment type will be used (configure provider.defaultAppointmentType)';
        return warn(`calendar ${listed(without, 5)} has no appointment types: ${fallback}`);
      }),
    ),
  );

  results.push(
    await runCheck('patient.missing-params', 'GET /patient without name/dob/phone → 4xx', async () => {
      const x = await probe.call('GET', '/patient');
      if (x.status >= 400 && x.status < 500) return pass(describe(x));
      return fail(is2xx(x) ? `a lookup without its required parameters succeeded: ${describe(x)}` : describe(x));
    }),
  );

  results.push(
    await runCheck('patient.unknown', 'GET /patient for an unknown patient → 404', async () => {
      const x = await probe.call('GET', '/patient', { query: NOBODY });
      if (x.status === 404) return pass(describe(x));
      if (is2xx(x)) {
        const b = x.body;
        const none = b === undefined || b === null || (Array.isArray(b) && b.length === 0) || (isObject(b) && Object.keys(b).length === 0);
        if (none) {
          x.tolerated = 'empty patient answer';
          return warn(`${x.status} with ${b === undefined ? 'an empty body' : JSON.stringify(b)} (tolerated as "no such patient"; the contract says 404)`);
        }
        return fail(`a made-up patient matched: ${x.status} with ${bodyHint(b)}`);
      }
      return fail(`expected 404, got ${describe(x)}`);
    }),
  );

  // the calendar and type to query: the first calendar listing a type, else the configured default type
  let target: ReadOutcome['target'];
  for (const c of items ?? []) {
    const calendarId = idText(c.id);
    const firstType = c.types?.map((t) => (isObject(t) ? idText(t.id) : undefined)).find((t) => t !== undefined);
    const typeId = firstType ?? opts.defaultAppointmentType?.id;
    if (calendarId && typeId) {
      target = { calendarId, appointmentTypeId: typeId };
      break;
    }
  }

  const months = thisAndNextMonth(now(), zone);
  const perMonth: { month: string; x: Exchange; form: AvailabilityForm; slots: SlotSeen[]; times: string[] }[] = [];
  const noTarget = 'no calendar with an appointment type to query';

  results.push(
    await runCheck('availability.shape', `GET /availability (${months.join(', ')}) answers {"slots": [...]}`, async () => {
      if (!target) return skip(noTarget);
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
    }),
  );

  const slots = perMonth.flatMap((m) => m.slots);
  const times = perMonth.flatMap((m) => m.times);

  results.push(
    await runCheck('availability.offsets', 'slot date-times carry an offset', () => {
      if (times.length === 0) return skip(target ? 'no slots to look at' : noTarget);
      const bare = times.filter((t) => !HAS_OFFSET.test(t.trim()));
      if (bare.length === 0) return pass(`${times.length} date-times`);
      for (const m of perMonth) if (m.times.some((t) => !HAS_OFFSET.test(t.trim()))) m.x.tolerated ??= 'date-times without offset';
      return warn(`${bare.length} of ${times.length} have no offset (e.g. "${bare[0]}"): read in ${zone}`);
    }),
  );

  results.push(
    await runCheck('availability.future', 'offered slots are in the future', () => {
      if (slots.length === 0) return skip(target ? 'no slots to look at' : noTarget);
      const unreadable = slots.filter((s) => Number.isNaN(s.at));
      if (unreadable.length) return fail(`${unreadable.length} unreadable start(s), e.g. "${unreadable[0]!.start}"`);
      const nowMs = now().getTime();
      const past = slots.filter((s) => s.at <= nowMs);
      if (past.length) return fail(`${past.length} of ${slots.length} start at or before now, e.g. ${showInstant(past[0]!.at, zone)}`);
      return pass(`${slots.length} slots, first ${showInstant(Math.min(...slots.map((s) => s.at)), zone)}`);
    }),
  );

  results.push(
    await runCheck('client.reads', "frontdesk's provider client reads the calendars and slots", async () => {
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
    }),
  );

  return { results, slots: slots.filter((s) => !Number.isNaN(s.at)), ...(target ? { target } : {}) };
}

export { is2xx };
