import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Result, ok, err } from '../core/result.js';
import { configChecks, type CheckOptions, type ConfigProblem } from './checks.js';
import { configSchema, type Config } from './schema.js';
import { demoConfig } from './demo.js';

export type { ConfigProblem } from './checks.js';

/** Replaces `${NAME}` in every string with the environment variable; collects the missing ones. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, missing: ConfigProblem[], path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        missing.push({ path: path || '(root)', message: `environment variable ${name} is not set` });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, missing, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, missing, path ? `${path}.${k}` : k)]));
  }
  return value;
}

const formatPath = (p: readonly PropertyKey[]): string =>
  p.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '') || '(root)';

/** The keys an object schema knows at `path` (through arrays, optional and default wrappers), for a "did you mean". */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  const def = (x: unknown) => (x as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  const unwrap = () => {
    for (let d = def(s); d && ['optional', 'default', 'prefault', 'nullable', 'pipe'].includes(String(d.type)); d = def(s)) s = d.type === 'pipe' ? d.in : d.innerType;
  };
  for (const seg of path) {
    unwrap();
    const d = def(s);
    if (d?.type === 'array' && typeof seg === 'number') s = d.element;
    else if (d?.type === 'object' && typeof seg === 'string') s = (d.shape as Record<string, unknown>)[seg];
    else return [];
  }
  unwrap();
  const d = def(s);
  return d?.type === 'object' ? Object.keys(d.shape as Record<string, unknown>) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownKeyMessage(key: string, known: string[]): string {
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return near ? `unrecognized key (did you mean "${near}"?)` : 'unrecognized key';
}

function schemaProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: formatPath([...i.path, key]), message: unknownKeyMessage(key, knownKeys(configSchema, i.path)) }))
      : [{ path: formatPath(i.path), message: i.message }],
  );
}

/**
 * Validates a config object in one pass: missing environment variables, the shape (strict: unknown keys
 * are problems), and the rules across fields (./checks.ts) are all reported together.
 */
export function validateConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, opts: CheckOptions = {}): Result<Config, ConfigProblem[]> {
  const missing: ConfigProblem[] = [];
  const interpolated = interpolateEnv(raw, env, missing);
  const parsed = configSchema.safeParse(interpolated);
  const others = [...(parsed.success ? [] : schemaProblems(parsed.error.issues)), ...configChecks(interpolated, opts)];
  const port = env.PORT;
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535)) others.push({ path: 'PORT', message: 'must be a port number' });
  // a value left empty by a missing variable is reported once, as that
  const unset = new Set(missing.map((p) => p.path));
  const seen = new Set<string>();
  const problems = [...missing, ...others.filter((p) => !unset.has(p.path))].filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  if (problems.length > 0 || !parsed.success) return err(problems);
  const config = parsed.data as Config;
  if (portNumber !== undefined) config.port = portNumber;
  return ok(config);
}

/** Line and column (from 1) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Parse errors name where and why, never the file's text (a config file can hold secrets). */
function parseFile(file: string, text: string): Result<unknown, ConfigProblem[]> {
  const where = (message: string): ConfigProblem => ({ path: 'FRONTDESK_CONFIG', message: `${file} is not valid ${message}` });
  if (/\.ya?ml$/i.test(file)) {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) return err(doc.errors.map((e) => where(`YAML at ${lineColumn(text, e.pos[0])}: ${e.message} (${e.code})`)));
    return ok(doc.toJS());
  }
  try {
    return ok(JSON.parse(text));
  } catch (e) {
    const message = (e as Error).message;
    const pos = /at position (\d+)/.exec(message);
    // V8 quotes the start of the text in some messages ('Unexpected token …, "…" is not valid JSON'): cut it
    const reason = message.replace(/,\s*(?:\.\.\.)?"[\s\S]*" is not valid JSON$/, '').replace(/\s*in JSON at position \d+.*$/s, '');
    return err([where(`JSON${pos ? ` at ${lineColumn(text, Number(pos[1]))}` : ''}: ${reason}`)]);
  }
}

/** Loads FRONTDESK_CONFIG (JSON or YAML) or the built-in demo config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Result<Config, ConfigProblem[]> {
  const file = env.FRONTDESK_CONFIG;
  if (!file) return validateConfig(demoConfig(), env, { demo: true });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return err([{ path: 'FRONTDESK_CONFIG', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  const raw = parseFile(file, text);
  return raw.ok ? validateConfig(raw.value, env) : raw;
}
