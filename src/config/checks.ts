import { httpsRules } from './checks/https.js';
import { list, rec, type ConfigInput, type Report } from './checks/input.js';
import { messageOverrideRules } from './checks/messages.js';
import { uniqueRoutingRules } from './checks/routing.js';
import { sandboxAndDevRules, smsPublicUrlRule } from './checks/sandbox.js';
import { facilitySecretRules, staffTokenRules } from './checks/secrets.js';

export { isLoopbackHost, isSandboxProvider } from './checks/urls.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

export interface CheckOptions {
  /** the built-in demo config: its public secrets are allowed there, and only there */
  demo?: boolean;
}

/** in the order their problems are reported */
const RULES: ((input: ConfigInput, add: Report) => void)[] = [
  uniqueRoutingRules,
  sandboxAndDevRules,
  smsPublicUrlRule,
  staffTokenRules,
  facilitySecretRules,
  httpsRules,
  messageOverrideRules,
];

/**
 * Rules across fields, and the security policy, run on the raw (interpolated) input rather than on the
 * parsed config: they still run when the shape has problems, so one pass reports everything. Every read
 * is defensive (a value of the wrong type is the schema's problem, reported there, and skipped here).
 */
export function configChecks(input: unknown, opts: CheckOptions = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add: Report = (path, message) => problems.push({ path, message });
  const root = rec(input) ?? {};
  const facilities = list(root.facilities).map((f) => rec(f) ?? {});
  for (const rule of RULES) rule({ root, facilities, opts }, add);
  return problems;
}
