/** Issue 14, care workflows: settings per type, reminder shape by status and cutoff, timing out of quiet hours. */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { facilityConfig, type FacilityConfig } from '../../src/config/schema.js';
import type { Appointment } from '../../src/core/domain.js';
import { describeNotice } from '../../src/sync/notices.js';
import { attendanceJob } from '../../src/sync/workflows/attendance.js';
import { careJobId } from '../../src/sync/workflows/care.js';
import { shapeReminder } from '../../src/sync/workflows/reminder.js';
import { clinicPhone, workflowsFor } from '../../src/sync/workflows/settings.js';
import { afterAt, moveAfterQuietHours } from '../../src/sync/workflows/timing.js';
import { testFacility } from '../support/fixtures.js';

const ZONE = 'Asia/Manila';
const local = (s: string) => DateTime.fromISO(s, { zone: ZONE });
const facility = (extra: Record<string, unknown> = {}): FacilityConfig => facilityConfig.parse({ ...testFacility(), ...extra });

const appt = (over: Partial<Appointment> = {}): Appointment => ({
  appointmentId: 'A1',
  facilityId: 'st-lukes',
  status: 'SCHEDULED',
  start: '2027-01-10T14:00:00+08:00',
  calendarId: '102',
  appointmentTypeId: '1011',
  patient: { name: 'X', phone: '+639170000000' },
  ...over,
});

describe('workflow settings', () => {
  it('defaults: see-you on, the rest off', () => {
    expect(workflowsFor(facility(), appt())).toEqual({ attendance: false, seeYou: true, confirmedReminders: true, followUp: false, rebookNudge: false, survey: false });
  });
  it('the appointment type wins key by key over the facility', () => {
    const f = facility({
      workflows: { attendance: { before: 'PT3H' }, seeYou: false, followUp: { after: 'P30D' } },
      appointmentTypes: { '1011': { workflows: { followUp: { after: 'P7D' }, attendance: false } } },
    });
    expect(workflowsFor(f, appt())).toMatchObject({ attendance: false, seeYou: false, followUp: { after: 'P7D' } });
    expect(workflowsFor(f, appt({ appointmentTypeId: '9999' }))).toMatchObject({ attendance: { before: 'PT3H' }, followUp: { after: 'P30D' } });
  });
  it("the clinic's number: the hotline, else staffContact", () => {
    expect(clinicPhone(facility())).toBe('+63 2 8123 4567');
    expect(clinicPhone(facility({ info: { hotline: '8888-1234' } }))).toBe('8888-1234');
  });
});

describe('a reminder as it fires', () => {
  const f = facility();
  const base = (a: Appointment) => describeNotice('reminder', a, 'Dr. Reyes', f.name);
  const ids = (d: ReturnType<typeof shapeReminder>) => (d.choices ?? []).map((c) => c.id);
  const early = local('2027-01-08T09:00').toMillis();
  const late = local('2027-01-10T09:00').toMillis();

  it('unconfirmed, outside the cutoff: confirm, reschedule, cancel', () => {
    const a = appt();
    const d = shapeReminder(base(a), a, f, early);
    expect(d.key).toBe('notice.reminder');
    expect(ids(d)).toEqual(['rem:confirm:A1', 'rem:reschedule:A1', 'rem:cancel:A1']);
  });
  it('unconfirmed, inside the cutoff: confirm only, and the number to call', () => {
    const a = appt();
    const d = shapeReminder(base(a), a, f, late);
    expect(ids(d)).toEqual(['rem:confirm:A1']);
    expect(d.params?.details).toContainEqual({ key: 'workflow.callToChange', params: { phone: '+63 2 8123 4567' } });
  });
  it('confirmed: no question; inside the cutoff no choices at all', () => {
    const a = appt({ status: 'CONFIRMED' });
    expect(shapeReminder(base(a), a, f, early)).toMatchObject({ key: 'workflow.reminderConfirmed' });
    expect(ids(shapeReminder(base(a), a, f, early))).toEqual(['rem:reschedule:A1', 'rem:cancel:A1']);
    expect(shapeReminder(base(a), a, f, late).choices).toBeUndefined();
  });
  it('no number configured: "call the clinic"', () => {
    const g = facility({ staffContact: undefined });
    const a = appt();
    expect(shapeReminder(base(a), a, g, late).params?.details).toContainEqual({ key: 'workflow.callToChangeNoPhone' });
  });
});

describe('timing', () => {
  const q = { from: '21:00', to: '08:00' };
  it('after-visit messages wait for quiet hours to end', () => {
    expect(moveAfterQuietHours(local('2027-01-10T22:30'), q).toISO()).toBe(local('2027-01-11T08:00').toISO());
    expect(moveAfterQuietHours(local('2027-01-11T03:00'), q).toISO()).toBe(local('2027-01-11T08:00').toISO());
    expect(moveAfterQuietHours(local('2027-01-11T12:00'), q).toISO()).toBe(local('2027-01-11T12:00').toISO());
    expect(afterAt(local('2027-01-10T22:30').toMillis(), 'P7D', ZONE, q)).toBe(local('2027-01-18T08:00').toMillis());
  });
  it('attendance: before the start, earlier out of quiet hours; none when confirmed, closed or past', () => {
    const f = facility({ workflows: { attendance: { before: 'PT3H' } } });
    const now = local('2027-01-08T09:00').toMillis();
    expect(attendanceJob(f, appt(), now)).toMatchObject({ runAt: local('2027-01-10T11:00').toMillis(), kind: 'attendance' });
    expect(attendanceJob(f, appt({ start: '2027-01-10T09:00:00+08:00' }), now)?.runAt).toBe(local('2027-01-09T20:45').toMillis());
    expect(attendanceJob(f, appt({ status: 'CONFIRMED' }), now)).toBeUndefined();
    expect(attendanceJob(f, appt({ status: 'CANCELED' }), now)).toBeUndefined();
    expect(attendanceJob(f, appt(), local('2027-01-10T12:00').toMillis())).toBeUndefined();
    expect(attendanceJob(facility(), appt(), now)).toBeUndefined();
  });
  it('job ids are stable: the see-you per start, the follow-up per appointment', () => {
    expect(careJobId('seeYou', 'f', 'A1', '2027-01-10T14:00:00+08:00')).toBe(careJobId('seeYou', 'f', 'A1', '2027-01-10T06:00:00Z'));
    expect(careJobId('seeYou', 'f', 'A1', '2027-01-10T14:00:00+08:00')).not.toBe(careJobId('seeYou', 'f', 'A1', '2027-01-11T14:00:00+08:00'));
    expect(careJobId('followUp', 'f', 'A1', 'x')).toBe(careJobId('followUp', 'f', 'A1', 'y'));
  });
});
