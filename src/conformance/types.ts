export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail?: string;
}

export interface WebhookCheckOptions {
  /** the `whsec_…` secret the provider signs with */
  secret: string;
  /** port of the local receiver (default 0: any free port) */
  listenPort?: number;
  /** interface the receiver listens on (default 0.0.0.0) */
  host?: string;
  /** the receiver's address as the provider reaches it (a tunnel), printed instead of the local one */
  publicUrl?: string;
  /** how long to wait for the deliveries after the other checks (default 10000) */
  waitMs?: number;
  /** called once the receiver listens, before any request is made: point the provider at `url` here */
  onReceiverReady?: (url: string) => void | Promise<void>;
}

export interface ConformanceOptions {
  /** `https://host/api/v1` (the client appends /calendars, /patient, …) */
  baseUrl: string;
  userId: string;
  apiKey: string;
  /** the facility's IANA zone: months and offset-less times are read in it */
  timezone: string;
  /** also create, reschedule, confirm and cancel a test appointment (books on the real system) */
  write?: boolean;
  webhook?: WebhookCheckOptions;
  /** the type used for calendars the provider lists without one (the facility's configured default) */
  defaultAppointmentType?: { id: string; name: string; durationMinutes?: number };
  fetch?: typeof fetch;
  now?: () => Date;
  /** budget of one request (default 15000) */
  requestTimeoutMs?: number;
}
