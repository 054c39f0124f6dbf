import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type Result, ok, err } from '../core/result.js';
import { configSchema, type Config } from './schema.js';
import { demoConfig } from './demo.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

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

export function validateConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): Result<Config, ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const interpolated = interpolateEnv(raw, env, problems);
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), message: i.message })));
  if (problems.length > 0) return err(problems);
  const config = parsed.data as Config;
  const port = env.PORT;
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) return err([{ path: 'PORT', message: 'must be a port number' }]);
    config.port = n;
  }
  return ok(config);
}

/** Loads FRONTDESK_CONFIG (JSON or YAML) or the built-in demo config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Result<Config, ConfigProblem[]> {
  const file = env.FRONTDESK_CONFIG;
  if (!file) return validateConfig(demoConfig(), env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return err([{ path: 'FRONTDESK_CONFIG', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    return err([{ path: 'FRONTDESK_CONFIG', message: `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}` }]);
  }
  return validateConfig(raw, env);
}
