import { runCheck, type Verdict } from '../check.js';
import type { CheckResult } from '../types.js';

/** One row of the conformance table: its id, its title, and how it reaches a verdict from the run's state. */
export interface Check<S> {
  id: string;
  /** a function when the title names something only known at run time (the months queried) */
  title: string | ((state: S) => string);
  run(state: S): Promise<Verdict> | Verdict;
}

/** Runs the checks in order, one after the other (later checks read what earlier ones left in `state`). */
export async function runChecks<S>(checks: readonly Check<S>[], state: S, results: CheckResult[]): Promise<void> {
  for (const check of checks) {
    const title = typeof check.title === 'string' ? check.title : check.title(state);
    results.push(await runCheck(check.id, title, () => check.run(state)));
  }
}
