import { fail, isObject, listed, pass, skip, warn, type Verdict } from '../check.js';
import { bodyHint, type Exchange } from '../probe.js';
import type { ConformanceOptions } from '../types.js';
import { idText, is2xx } from './exchange.js';
import type { Check } from './list.js';
import type { CalendarItem, ReadState, ReadTarget } from './read-state.js';

export function calendarItems(body: unknown): CalendarItem[] | undefined {
  const list = isObject(body) && Array.isArray(body.calendars) ? body.calendars : Array.isArray(body) ? body : undefined;
  if (!list) return undefined;
  return list.map((c) => (isObject(c) ? { id: c.id, types: Array.isArray(c.appointmentTypes) ? c.appointmentTypes : undefined } : { id: undefined, types: undefined }));
}

/** The calendar and type to query: the first calendar listing a type, else the configured default type. */
export function pickTarget(items: CalendarItem[] | undefined, opts: ConformanceOptions): ReadTarget | undefined {
  for (const c of items ?? []) {
    const calendarId = idText(c.id);
    const firstType = c.types?.map((t) => (isObject(t) ? idText(t.id) : undefined)).find((t) => t !== undefined);
    const typeId = firstType ?? opts.defaultAppointmentType?.id;
    if (calendarId && typeId) return { calendarId, appointmentTypeId: typeId };
  }
  return undefined;
}

const needCalendars =
  (fn: (items: CalendarItem[], x: Exchange, state: ReadState) => Verdict) =>
  (state: ReadState): Verdict => {
    const { calendars, items } = state;
    return !calendars || !is2xx(calendars) ? skip('GET /calendars did not succeed') : !items ? skip('GET /calendars returned no calendar list') : fn(items, calendars, state);
  };

const calendarsShape: Check<ReadState> = {
  id: 'calendars.shape',
  title: 'GET /calendars answers {"calendars": [...]}',
  run({ calendars }) {
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
  },
};

const calendarsIds: Check<ReadState> = {
  id: 'calendars.ids',
  title: 'calendar and appointment type ids are strings',
  run: needCalendars((list, x) => {
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
};

const calendarsTypes: Check<ReadState> = {
  id: 'calendars.types',
  title: 'every calendar lists its appointment types',
  run: needCalendars((list, _x, { opts }) => {
    const without = list.filter((c) => !c.types || c.types.length === 0).map((c) => idText(c.id) ?? '?');
    const count = list.reduce((n, c) => n + (c.types?.length ?? 0), 0);
    if (without.length === 0) return pass(`${count} types across ${list.length} calendars`);
    const fallback = opts.defaultAppointmentType
      ? `the default type ${opts.defaultAppointmentType.id} will be used`
      : 'the facility\'s default appointment type will be used (configure provider.defaultAppointmentType)';
    return warn(`calendar ${listed(without, 5)} has no appointment types: ${fallback}`);
  }),
};

export const CALENDAR_CHECKS: readonly Check<ReadState>[] = [calendarsShape, calendarsIds, calendarsTypes];
