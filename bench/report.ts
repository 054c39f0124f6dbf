/** The printed figures: one table per section, targets beside the figures, no thresholds enforced. */

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
  /** the figures that have a target, for the closing summary */
  targets?: Target[];
}

export interface Target {
  figure: string;
  target: string;
  met: string;
}

export const ms = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(digits)} ms`);
export const rate = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
export const ratio = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(2)}×`);
export const mb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
export const secs = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(1)} s`);
export const pct = (share: number | undefined) => (share === undefined || !Number.isFinite(share) ? '-' : `${(share * 100).toFixed(0)} %`);
export const int = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : Math.round(v).toLocaleString('en-US'));

/** "met" / "missed" (or "-" when the figure is unknown) */
export const verdict = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'met' : 'missed');

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const numeric = (cell: string) => /^[-+]?[\d.,]+(\s?(ms|s|MB|B|×|%|\/s))?$/.test(cell);

/** A row shorter than the columns (a failure: label, then a reason) has its last cell run across the rest. */
export function formatTable(t: Table): string {
  const full = (r: string[]) => r.length >= t.columns.length;
  const widths = t.columns.map((h, c) => Math.max(h.length, ...t.rows.map((r) => (full(r) || c < r.length - 1 ? (r[c] ?? '') : '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 && cells.length < widths.length ? cell : c > 0 && numeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const out = [`## ${t.title}`, '', line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map((r) => line(full(r) ? t.columns.map((_, c) => r[c] ?? '') : r))];
  for (const n of t.notes ?? []) out.push(`  · ${n}`);
  return out.join('\n');
}
