import { fail, isObject, listed, pass, runCheck, skip, warn } from './check.js';
import { validateResponse } from './openapi.js';
import { describe, type Exchange } from './probe.js';
import type { CheckResult } from './types.js';

/** Checks over every exchange of the run: the error shape and the OpenAPI response schemas. */

export function errorShapeCheck(exchanges: Exchange[]): Promise<CheckResult> {
  return runCheck('errors.shape', 'errors are {"error": "<code>", "message": "..."}', () => {
    const errors = exchanges.filter((x) => x.status >= 400);
    if (errors.length === 0) return skip('no error response was seen');
    const bad = errors.filter((x) => !(isObject(x.body) && typeof x.body.error === 'string' && x.body.error !== '' && typeof x.body.message === 'string'));
    if (bad.length === 0) return pass(`${errors.length} error responses`);
    const shape = (b: unknown) => (b === undefined ? 'empty body' : isObject(b) ? `keys ${Object.keys(b).join(', ') || '(none)'}` : Array.isArray(b) ? 'an array' : typeof b === 'string' ? 'non-JSON text' : JSON.stringify(b));
    return fail(`${bad.length} of ${errors.length}: ${listed(bad.map((x) => `${describe(x)} has ${shape(x.body)}`))}`);
  });
}

const UNDOCUMENTED = /^status \d+ is not documented/;

export function openApiCheck(exchanges: Exchange[]): Promise<CheckResult> {
  return runCheck('openapi.responses', 'response bodies validate against openapi/provider-contract.yaml', () => {
    // the auth probes' answers are judged by auth.required; successes first: they say the most
    const judged = exchanges.filter((x) => x.auth === 'basic').sort((a, b) => Number(a.status >= 300) - Number(b.status >= 300));
    if (judged.length === 0) return skip('no response was seen');
    const strict = new Set<string>();
    const tolerated = new Set<string>();
    const undocumented = new Set<string>();
    for (const x of judged) {
      const problems = validateResponse(x.path, x.method, x.status, x.body);
      if (problems.length === 0) continue;
      if (problems.every((p) => UNDOCUMENTED.test(p))) {
        undocumented.add(describe(x));
        continue;
      }
      const line = `${describe(x)}: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1})` : ''}`;
      if (x.tolerated) tolerated.add(`${line} [${x.tolerated}]`);
      else strict.add(line);
    }
    if (strict.size) return fail(listed([...strict]));
    const notes = [
      ...(tolerated.size ? [`tolerated forms: ${listed([...tolerated], 2)}`] : []),
      ...(undocumented.size ? [`undocumented statuses: ${listed([...undocumented])}`] : []),
    ];
    return notes.length ? warn(notes.join('; ')) : pass(`${judged.length} responses`);
  });
}
