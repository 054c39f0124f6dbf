import type { CheckResult, CheckStatus } from './types.js';

/** An aligned plain-text table of the results and a one-line tally. */

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

export function tally(results: CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** `conformance: 12 pass · 0 fail · 2 warn · 1 skip` (deliberately not "N passed, N failed": CI reads those as test results) */
export function summaryLine(results: CheckResult[]): string {
  const c = tally(results);
  return `conformance: ${c.pass} pass · ${c.fail} fail · ${c.warn} warn · ${c.skip} skip`;
}

export function formatTable(results: CheckResult[]): string {
  const rows = results.map((r) => [r.id, LABEL[r.status], r.title, r.detail ?? '']);
  const head = ['CHECK', 'STATUS', 'TITLE', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // the last column is not padded: no trailing spaces
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.min(w, 40) : w)).join('  ');
  return [line(head), rule, ...rows.map(line), '', summaryLine(results)].join('\n');
}
