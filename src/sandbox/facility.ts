import type { Context } from 'koa';
import type { Clinic } from './clinic.js';
import { SandboxHttpError, requireBasic } from './http.js';
import type { WebhookTarget } from './webhooks.js';

export interface FacilityState {
  id: string;
  userId: string;
  apiKey: string;
  supportsConfirm: boolean;
  clinic: Clinic;
  /** first results of mutating patient-API calls, by `METHOD path key` */
  idempotency: Map<string, { fingerprint: string; status: number; body: unknown }>;
  webhook?: WebhookTarget;
}

export type FacilityLookup = (id: string) => FacilityState | undefined;

/** The facility named in the path, after its Basic credentials are checked. */
export function authorizedFacility(ctx: Context & { params: Record<string, string> }, lookup: FacilityLookup): FacilityState {
  const f = lookup(ctx.params.facilityId ?? '');
  if (!f) throw new SandboxHttpError(404, 'facility_not_found', 'No such sandbox facility');
  requireBasic(ctx, f.userId, f.apiKey);
  return f;
}
