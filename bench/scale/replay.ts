/**
 * Bulk data for the scale figures, written straight into a SQLite store file: the service writes one
 * template (a contact, a conversation, an appointment) through its own code; the rows it left are found
 * by the template's ids ("tokens") and copied N times in one transaction, each copy with its own ids.
 * So the copies are exactly what the service writes, whatever the key layout is today, at the speed of
 * plain inserts.
 */
import Database from 'better-sqlite3';

type Value = string | number | bigint | Buffer | null;

export interface TemplateRow {
  table: string;
  row: Record<string, Value>;
}

/** token → its value in copy `i` (copies must not collide with each other or the template) */
export type Tokens = Record<string, (i: number) => string>;

const tables = (db: Database.Database) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);

/** the rows of a (small, template) file holding one of `tokens` in a text column and kept by `keep` */
export function captureRows(file: string, tokens: string[], keep: (r: TemplateRow) => boolean = () => true): TemplateRow[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out: TemplateRow[] = [];
    for (const table of tables(db)) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, Value>[]) {
        const text = Object.values(row).filter((v): v is string => typeof v === 'string');
        if (text.some((v) => tokens.some((t) => v.includes(t))) && keep({ table, row })) out.push({ table, row });
      }
    }
    return out;
  } finally {
    db.close();
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Writes copies `from` … `to - 1` of `rows` into `file`, tokens replaced, in transactions of `batch`
 * copies (one writer, WAL checkpointed at the end). Returns the rows written.
 */
export function replicate(file: string, rows: TemplateRow[], tokens: Tokens, from: number, to: number, batch = 20_000): number {
  const names = Object.keys(tokens).sort((a, b) => b.length - a.length);
  if (names.length === 0 || rows.length === 0) return 0;
  const re = new RegExp(names.map(escape).join('|'), 'g');
  const db = new Database(file, { fileMustExist: true });
  // one writer and nothing to recover if it stops: no journal while generating (the store turns WAL back on when it opens)
  db.pragma(`journal_mode = ${process.env.BENCH_JOURNAL ?? 'OFF'}`);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -200000');
  let written = 0;
  try {
    const plans = rows.map(({ table, row }) => {
      const cols = Object.keys(row);
      const stmt = db.prepare(`INSERT OR REPLACE INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      const values = cols.map((c) => row[c] ?? null);
      const templated = values.map((v) => typeof v === 'string' && names.some((n) => v.includes(n)));
      return { stmt, values, templated };
    });
    const copies = db.transaction((start: number, end: number) => {
      for (let i = start; i < end; i++) {
        const memo = new Map<string, string>();
        const sub = (t: string) => {
          let v = memo.get(t);
          if (v === undefined) memo.set(t, (v = tokens[t]!(i)));
          return v;
        };
        for (const p of plans) {
          p.stmt.run(p.values.map((v, c) => (p.templated[c] ? (v as string).replace(re, sub) : v)));
          written += 1;
        }
      }
    });
    for (let s = from; s < to; s += batch) copies(s, Math.min(to, s + batch));
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  return written;
}
