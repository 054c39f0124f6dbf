import type { FacilityConfig } from '../config/schema.js';
import type { FlowKnowledge } from './flow.js';

/** The facility's knowledge as plain data for the flow (workflow settings stay here); nothing when none is configured. */
export function flowKnowledge(f: Pick<FacilityConfig, 'info' | 'calendars' | 'appointmentTypes'>): { knowledge?: FlowKnowledge } {
  const types = f.appointmentTypes
    ? Object.fromEntries(Object.entries(f.appointmentTypes).map(([id, { workflows: _w, ...facts }]) => [id, facts]))
    : undefined;
  const knowledge: FlowKnowledge = { ...(f.info ? { info: f.info } : {}), ...(f.calendars ? { calendars: f.calendars } : {}), ...(types ? { appointmentTypes: types } : {}) };
  return Object.keys(knowledge).length ? { knowledge } : {};
}
