import { fail, isObject, pass, warn } from '../check.js';
import { bodyHint, describe } from '../probe.js';
import { is2xx } from './exchange.js';
import type { Check } from './list.js';
import type { ReadState } from './read-state.js';

/** A patient no facility has: the lookup must answer "none". */
export const NOBODY = { name: 'Frontdesk Conformance Nobody', dob: '1900-01-01', phone: '+639990000000' };

const isEmptyAnswer = (b: unknown) => b === undefined || b === null || (Array.isArray(b) && b.length === 0) || (isObject(b) && Object.keys(b).length === 0);

const missingParams: Check<ReadState> = {
  id: 'patient.missing-params',
  title: 'GET /patient without name/dob/phone → 4xx',
  async run({ probe }) {
    const x = await probe.call('GET', '/patient');
    if (x.status >= 400 && x.status < 500) return pass(describe(x));
    return fail(is2xx(x) ? `a lookup without its required parameters succeeded: ${describe(x)}` : describe(x));
  },
};

const unknownPatient: Check<ReadState> = {
  id: 'patient.unknown',
  title: 'GET /patient for an unknown patient → 404',
  async run({ probe }) {
    const x = await probe.call('GET', '/patient', { query: NOBODY });
    if (x.status === 404) return pass(describe(x));
    if (!is2xx(x)) return fail(`expected 404, got ${describe(x)}`);
    const b = x.body;
    if (!isEmptyAnswer(b)) return fail(`a made-up patient matched: ${x.status} with ${bodyHint(b)}`);
    x.tolerated = 'empty patient answer';
    return warn(`${x.status} with ${b === undefined ? 'an empty body' : JSON.stringify(b)} (tolerated as "no such patient"; the contract says 404)`);
  },
};

export const PATIENT_CHECKS: readonly Check<ReadState>[] = [missingParams, unknownPatient];
