import type { FacilityConfig } from '../../config/schema.js';
import type { Appointment } from '../../core/domain.js';
import { isClosed } from '../../core/status.js';
import { workflowsFor } from './settings.js';
import { beforeStart } from './timing.js';

/** The attendance question's job id: planned for one start, like a reminder's (./reminder-plan.ts). */
export const attendanceJobId = (facilityId: string, appointmentId: string, before: string, start: string): string =>
  `att:${facilityId}:${appointmentId}:${before}:${Date.parse(start) / 1000}`;

/**
 * "Will you come?" once, `attendance.before` ahead of the start (earlier out of quiet hours); none for a confirmed
 * or closed appointment, nor when that time has passed. The reminder job runs it (payload kind `attendance`).
 */
export function attendanceJob(f: FacilityConfig, appt: Appointment, now: number): { id: string; offset: string; runAt: number; kind: 'attendance' } | undefined {
  const wf = workflowsFor(f, appt).attendance;
  if (!wf || isClosed(appt.status) || appt.status === 'CONFIRMED') return undefined;
  const runAt = beforeStart(appt.start, wf.before, f.timezone, f.quietHours);
  if (runAt === undefined || runAt <= now || runAt >= Date.parse(appt.start)) return undefined;
  return { id: attendanceJobId(f.id, appt.appointmentId, wf.before, appt.start), offset: wf.before, runAt, kind: 'attendance' };
}
