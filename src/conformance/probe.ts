/**
 * Raw HTTP calls to the provider, exactly as it answers them (no tolerant parsing): every exchange is kept
 * so the error-shape and OpenAPI checks can look at all of them at the end.
 */

export type AuthMode = 'basic' | 'none' | 'wrong';

export interface ProbeRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  auth?: AuthMode;
  idempotencyKey?: string;
}

export interface Exchange {
  method: string;
  /** the path below the base URL, without the query (`/appointments/50001/cancel`) */
  path: string;
  status: number;
  /** parsed JSON, else the raw text, undefined when empty */
  body: unknown;
  json: boolean;
  auth: AuthMode;
  /** set by a check that found a documented-tolerated variant in this body (bare array, grouped slots, …) */
  tolerated?: string;
}

export class ProbeError extends Error {}

export interface Probe {
  call(method: string, path: string, req?: ProbeRequest): Promise<Exchange>;
  readonly exchanges: Exchange[];
}

export interface ProbeOptions {
  baseUrl: string;
  userId: string;
  apiKey: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

const basic = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

export function createProbe(opts: ProbeOptions): Probe {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const exchanges: Exchange[] = [];

  async function call(method: string, path: string, req: ProbeRequest = {}): Promise<Exchange> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = req.auth ?? 'basic';
    if (auth === 'basic') headers.authorization = basic(opts.userId, opts.apiKey);
    if (auth === 'wrong') headers.authorization = basic(opts.userId, `${opts.apiKey}-wrong`);
    if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await opts.fetch(url, {
        method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ProbeError(`${method} ${path}: request failed (${cause?.code ?? cause?.message ?? (e as Error).message})`);
    }
    let body: unknown = text === '' ? undefined : text;
    let json = false;
    if (text !== '') {
      try {
        body = JSON.parse(text);
        json = true;
      } catch {
        /* not JSON: the checks report the text */
      }
    }
    const exchange: Exchange = { method, path, status: res.status, body, json, auth };
    exchanges.push(exchange);
    return exchange;
  }

  return { call, exchanges };
}

/** `GET /calendars → 401` for details. */
export const describe = (x: Exchange): string => `${x.method} ${x.path} → ${x.status}`;

/** A short, log-safe rendering of a body for a detail line (never the whole body: it may carry patient data). */
export function bodyHint(body: unknown): string {
  if (body === undefined) return 'empty body';
  if (body === null) return 'null';
  if (Array.isArray(body)) return `array of ${body.length}`;
  if (typeof body === 'object') return `object with keys ${Object.keys(body).slice(0, 6).join(', ') || '(none)'}`;
  if (typeof body === 'string') return `non-JSON text (${body.length} chars)`;
  return typeof body;
}
