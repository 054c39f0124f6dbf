import { AsyncLocalStorage } from 'node:async_hooks';
import { fromPromise, type AnyStateMachine } from 'xstate';

/** one turn's effects, by the actor name the flow invokes; each resolves (errors are values, flow protocol) */
export type TurnCalls = Record<string, (input: never) => Promise<unknown>>;

const current = new AsyncLocalStorage<TurnCalls>();
const provided = new WeakMap<AnyStateMachine, AnyStateMachine>();

/**
 * The machine with its invoked actors provided once, each a slot that runs the current turn's call.
 * `machine.provide()` rebuilds the whole state-node tree (about 3 ms for the conversation machine on
 * this hardware), so providing per turn cost more than the rest of a greeting turn; the slots read the
 * turn's calls from an AsyncLocalStorage set around the turn (`withTurnCalls`).
 */
export function machineWithSlots(machine: AnyStateMachine, names: readonly string[]): AnyStateMachine {
  const known = provided.get(machine);
  if (known) return known;
  const actors = Object.fromEntries(
    names.map((name) => [
      name,
      fromPromise<unknown, unknown>(async ({ input }) => {
        const call = current.getStore()?.[name];
        if (!call) throw new Error(`actor ${name} invoked outside a turn`);
        return (call as (i: unknown) => Promise<unknown>)(input);
      }),
    ]),
  );
  const out = machine.provide({ actors });
  provided.set(machine, out);
  return out;
}

export const withTurnCalls = <T>(calls: TurnCalls, fn: () => Promise<T>): Promise<T> => current.run(calls, fn);
