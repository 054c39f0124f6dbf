import { errorCode, isTimeout } from '../outbound/failures.js';

/**
 * The command line's words for "no HTTP answer came" and "cannot listen": one line an operator can act on,
 * never a stack trace.
 */

/** How long a command waits for the running server (or a provider it probes) before saying it does not answer. */
export const SERVER_TIMEOUT_MS = 10_000;

export const SERVER_HINT = 'is the server running? use --url';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed before an answer',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
  EPROTO: 'TLS handshake failed (http:// vs https://?)',
};

export const timedOut = (timeoutMs: number): string => `no answer within ${Math.round(timeoutMs / 100) / 10} s`;

/** Why a request got no HTTP answer, in a few words: "connection refused", "host not found", "no answer within 10 s"… */
export function noAnswer(e: unknown, timeoutMs = SERVER_TIMEOUT_MS): string {
  if (isTimeout(e)) return timedOut(timeoutMs);
  const code = errorCode(e);
  if (code && REASONS[code]) return REASONS[code];
  const message = e instanceof Error ? (e.message === 'fetch failed' && e.cause instanceof Error ? e.cause.message : e.message) : String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * What to do about it, `where` being what sets the address ("--url", "--base-url"…): a refused or silent
 * server is not running there; a name that does not resolve is mistyped.
 */
export function hintFor(reason: string, where = '--url'): string {
  if (/^host (not found|name lookup)/.test(reason)) return `check the host name in ${where}`;
  if (/^TLS|http:\/\//.test(reason)) return `check the URL in ${where}`;
  return where === '--url' ? SERVER_HINT : `is it up? check ${where}`;
}

/** "cannot reach URL (why) — hint" */
export const noReach = (url: string, reason: string, hint = hintFor(reason)): string => `cannot reach ${url} (${reason})${hint ? ` — ${hint}` : ''}`;

/** "frontdesk <command>: cannot reach URL (why) — hint" */
export const cannotReach = (command: string, url: string, reason: string, hint = hintFor(reason)): string => `frontdesk ${command}: ${noReach(url, reason, hint)}`;

export type Answer = { ok: true; res: Response } | { ok: false; reason: string };

/** fetch with a deadline, answering why when no HTTP answer came instead of throwing. */
export async function request(url: string, init: RequestInit = {}, timeoutMs = SERVER_TIMEOUT_MS): Promise<Answer> {
  try {
    return { ok: true, res: await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }) };
  } catch (e) {
    return { ok: false, reason: noAnswer(e, timeoutMs) };
  }
}

/** undefined when `url` answers at all (any status: something is listening and speaks HTTP), else why not. */
export async function unreachable(url: string, timeoutMs = SERVER_TIMEOUT_MS): Promise<string | undefined> {
  const a = await request(url, { method: 'GET' }, timeoutMs);
  if (!a.ok) return a.reason;
  await a.res.body?.cancel().catch(() => undefined);
  return undefined;
}

/** Why a server could not listen, in a few words. */
export function cannotListen(e: unknown): string {
  const code = errorCode(e);
  if (code === 'EADDRINUSE') return 'address already in use';
  if (code === 'EACCES') return 'permission denied: ports below 1024 need privileges';
  if (code === 'EADDRNOTAVAIL') return 'no such address on this machine';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  return e instanceof Error ? e.message : String(e);
}

/** An unexpected error as one line (its code when it has one); the stack only with FRONTDESK_DEBUG. */
export function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = errorCode(e);
  const first = e.message.split('\n')[0] ?? '';
  return code && !first.includes(code) ? `${first} (${code})` : first;
}
