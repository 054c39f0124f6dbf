import { createActor, waitFor, type AnyActorRef, type AnyStateMachine, type Snapshot } from 'xstate';
import { bindTurnCalls, type TurnCalls } from './actor-slots.js';
import { BUSY_TAG, type ConversationInput, type FlowEmitted, type FlowEvent } from './flow.js';

export interface FlowTurnRequest {
  machine: AnyStateMachine;
  /** what the machine's actor slots run in this turn (./actor-slots.ts); none for a machine provided its own */
  calls?: TurnCalls;
  input: ConversationInput;
  /** the persisted snapshot to resume; absent for a new conversation */
  snapshot?: unknown;
  /** an expired conversation's snapshot: restarting it fresh, we tell whether it was mid-way */
  expired?: unknown;
  event: FlowEvent;
  timeoutMs: number;
}

export type FlowTurnResult =
  | { ok: true; snapshot: unknown; emitted: FlowEmitted[]; restartedMidway: boolean }
  | { ok: false; reason: 'timeout' | 'error'; error: unknown };

const valueOf = (s: unknown): string => JSON.stringify((s as { value?: unknown } | undefined)?.value ?? null);

const settled = (s: Snapshot<unknown> & { hasTag?: (t: string) => boolean }) => s.status !== 'active' || !s.hasTag?.(BUSY_TAG);

/** a resumed conversation sees the contact as the store has it now (verified phone, the people it books for) */
function withFreshContact(snapshot: unknown, input: ConversationInput): unknown {
  const s = snapshot as { context?: { contact?: object } };
  if (!s.context?.contact) return snapshot;
  return { ...s, context: { ...s.context, contact: { ...s.context.contact, ...input.contact } } };
}

function startActor(req: FlowTurnRequest, emitted: FlowEmitted[], snapshot: unknown): AnyActorRef {
  const actor = createActor(req.machine, snapshot ? { snapshot: withFreshContact(snapshot, req.input) as Snapshot<unknown>, input: req.input } : { input: req.input });
  actor.on('*', (e: unknown) => emitted.push(e as FlowEmitted));
  if (req.calls) bindTurnCalls(actor, req.calls);
  actor.start();
  return actor;
}

/**
 * Feeds one event to the conversation's flow and waits until it settles (no state tagged busy, i.e.
 * no provider call in flight). Resumes from the snapshot, or starts fresh when there is none or it can
 * no longer be restored (a machine changed by a deploy).
 */
export async function runFlowTurn(req: FlowTurnRequest): Promise<FlowTurnResult> {
  const emitted: FlowEmitted[] = [];
  let actor: AnyActorRef | undefined;
  let restartedMidway = false;
  if (req.snapshot && (req.snapshot as { status?: string }).status === 'active') {
    try {
      actor = startActor(req, emitted, req.snapshot);
      if (actor.getSnapshot().status !== 'active') {
        actor.stop();
        actor = undefined;
      }
    } catch {
      actor = undefined;
    }
    emitted.length = 0;
  }
  try {
    if (!actor) {
      actor = startActor(req, emitted, undefined);
      if (req.expired) restartedMidway = valueOf(req.expired) !== valueOf(actor.getSnapshot());
    }
    actor.send(req.event);
    await waitFor(actor, settled, { timeout: req.timeoutMs });
    const snap = actor.getSnapshot() as Snapshot<unknown>;
    if (snap.status === 'error') return { ok: false, reason: 'error', error: (snap as { error?: unknown }).error };
    return { ok: true, snapshot: actor.getPersistedSnapshot(), emitted, restartedMidway };
  } catch (error) {
    const timedOut = error instanceof Error && /timeout/i.test(error.message);
    return { ok: false, reason: timedOut ? 'timeout' : 'error', error };
  } finally {
    actor?.stop();
  }
}
