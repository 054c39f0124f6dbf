import type { z } from 'zod';
import type { FacilityConfig, workflowsConfig } from '../../config/schema.js';
import type { Appointment } from '../../core/domain.js';

/**
 * A facility's care workflows for one appointment: the appointment type's settings win key by key over the
 * facility's. Absent keys take these defaults (README "Care workflows"): the see-you message and the reminders
 * of confirmed appointments on, everything else off — the reminders already ask "Will you come?" while an
 * appointment is unconfirmed.
 */
export interface Workflows {
  attendance: { before: string } | false;
  seeYou: boolean;
  confirmedReminders: boolean;
  followUp: { after: string } | false;
  rebookNudge: { after: string } | false;
  survey: { after: string; expiresAfter: string; lowScore: number } | false;
}

type WorkflowsConfig = z.infer<typeof workflowsConfig>;

const DEFAULTS: Workflows = { attendance: false, seeYou: true, confirmedReminders: true, followUp: false, rebookNudge: false, survey: false };

export function workflowsFor(f: FacilityConfig, appt: Pick<Appointment, 'appointmentTypeId'>): Workflows {
  const facility: Partial<WorkflowsConfig> = f.workflows ?? {};
  const type: Partial<WorkflowsConfig> = f.appointmentTypes?.[appt.appointmentTypeId]?.workflows ?? {};
  const pick = <K extends keyof Workflows>(k: K): Workflows[K] => (type[k] ?? facility[k] ?? DEFAULTS[k]) as Workflows[K];
  return { attendance: pick('attendance'), seeYou: pick('seeYou'), confirmedReminders: pick('confirmedReminders'), followUp: pick('followUp'), rebookNudge: pick('rebookNudge'), survey: pick('survey') };
}

/** the number patients call to change an appointment close to its time */
export const clinicPhone = (f: FacilityConfig): string | undefined => f.info?.hotline ?? f.staffContact;
