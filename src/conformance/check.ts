import type { CheckResult, CheckStatus } from './types.js';

export interface Verdict {
  status: CheckStatus;
  detail?: string;
}

const verdict = (status: CheckStatus) => (detail?: string): Verdict => (detail ? { status, detail } : { status });
export const pass = verdict('pass');
export const fail = verdict('fail');
export const warn = verdict('warn');
export const skip = verdict('skip');

/** Runs one check; a throw (network error, bug) is that check's failure, never the run's. */
export async function runCheck(id: string, title: string, fn: () => Promise<Verdict> | Verdict): Promise<CheckResult> {
  try {
    const v = await fn();
    return { id, title, ...v };
  } catch (e) {
    return { id, title, status: 'fail', detail: e instanceof Error ? e.message : String(e) };
  }
}

/** `a; b; c (+4 more)` */
export function listed(items: string[], max = 3): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
