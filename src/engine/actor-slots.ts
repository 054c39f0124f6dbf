import { fromPromise, type AnyActorRef, type AnyStateMachine } from 'xstate';

/** one turn's effects, by the actor name the flow invokes; each resolves (errors are values, flow protocol) */
export type TurnCalls = Record<string, (input: never) => Promise<unknown>>;

/** the calls of the turn an actor system belongs to (one system per turn's root actor) */
const callsOf = new WeakMap<object, TurnCalls>();
const provided = new WeakMap<AnyStateMachine, AnyStateMachine>();

/**
 * The machine with its invoked actors provided once, each a slot that runs the call of the turn its actor
 * system was bound to (`bindTurnCalls`). `machine.provide()` rebuilds the whole state-node tree (about
 * 3 ms for the conversation machine on this hardware), so providing per turn cost more than the rest of
 * a greeting turn. (An AsyncLocalStorage would do the same, but on Node 20 it turns on promise hooks for
 * every promise of the process, the webhooks' included.)
 */
export function machineWithSlots(machine: AnyStateMachine, names: readonly string[]): AnyStateMachine {
  const known = provided.get(machine);
  if (known) return known;
  const actors = Object.fromEntries(
    names.map((name) => [
      name,
      fromPromise<unknown, unknown>(async ({ input, system }) => {
        const call = callsOf.get(system as object)?.[name];
        if (!call) throw new Error(`actor ${name} invoked outside a turn`);
        return (call as (i: unknown) => Promise<unknown>)(input);
      }),
    ]),
  );
  const out = machine.provide({ actors });
  provided.set(machine, out);
  return out;
}

/** before the turn's root actor starts: its invoked actors run these calls */
export function bindTurnCalls(actor: AnyActorRef, calls: TurnCalls): void {
  callsOf.set(actor.system as object, calls);
}
