import { fail, listed, pass } from '../check.js';
import { describe } from '../probe.js';
import { is2xx, isAuthRefusal } from './exchange.js';
import type { Check } from './list.js';
import type { ReadState } from './read-state.js';

const authRequired: Check<ReadState> = {
  id: 'auth.required',
  title: 'Basic auth is required (no or wrong credentials → 401/403)',
  async run({ probe }) {
    const none = await probe.call('GET', '/calendars', { auth: 'none' });
    const wrong = await probe.call('GET', '/calendars', { auth: 'wrong' });
    const problems = [
      ...(isAuthRefusal(none) ? [] : [`without credentials ${describe(none)}`]),
      ...(isAuthRefusal(wrong) ? [] : [`with a wrong API key ${describe(wrong)}`]),
    ];
    return problems.length ? fail(listed(problems)) : pass(`no auth → ${none.status}, wrong key → ${wrong.status}`);
  },
};

/** Also keeps the GET /calendars answer for the calendar checks. */
const authAccepted: Check<ReadState> = {
  id: 'auth.accepted',
  title: 'Basic auth with USER_ID:API_KEY is accepted',
  async run(state) {
    const calendars = await state.probe.call('GET', '/calendars');
    state.calendars = calendars;
    if (is2xx(calendars)) return pass(describe(calendars));
    return fail(isAuthRefusal(calendars) ? `the credentials were refused: ${describe(calendars)}` : describe(calendars));
  },
};

export const AUTH_CHECKS: readonly Check<ReadState>[] = [authRequired, authAccepted];
