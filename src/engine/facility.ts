import type { FacilityConfig } from '../config/schema.js';
import type { FlowFacility } from './flow.js';
import { flowKnowledge } from './knowledge.js';

/** what the flow knows of a facility */
export const toFlowFacility = (f: FacilityConfig): FlowFacility => ({
  id: f.id,
  name: f.name,
  timezone: f.timezone,
  locale: f.locale,
  country: f.country,
  cutoffHours: f.rescheduleCutoffHours,
  askNationalId: f.askNationalId,
  staffContact: f.staffContact,
  ...(f.privacyNoticeUrl ? { privacyNoticeUrl: f.privacyNoticeUrl } : {}),
  canVerifyPhone: !!f.channels.sms,
  ...flowKnowledge(f),
});
