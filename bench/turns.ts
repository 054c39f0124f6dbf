/** Conversation turn latency through the dev API: one message in, its replies out. */
import { FACILITY } from '../test/support/frontdesk.js';
import type { BenchFrontdesk } from './frontdesk.js';
import { runLoad, type BenchRow } from './load.js';

interface Reply {
  text: string;
  choices?: { id: string }[];
}

async function say(base: string, userId: string, input: { text?: string; choiceId?: string }): Promise<Reply[]> {
  const res = await fetch(`${base}/dev/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ facilityId: FACILITY, channel: 'messenger', userId, ...input }) });
  if (res.status !== 200) throw new Error(`dev API answered ${res.status}`);
  return ((await res.json()) as { replies: Reply[] }).replies;
}

export async function benchGreetingTurn(b: BenchFrontdesk): Promise<BenchRow> {
  return runLoad({
    name: 'turn: greeting (dev API, new patient)',
    total: 200,
    concurrency: 4,
    warmup: 10,
    op: async (i) => {
      const replies = await say(b.fd.base, `bench-greet-${i}`, { text: 'hi' });
      if (replies.length === 0) throw new Error('no greeting');
    },
  });
}

/** Patients brought to the date question, then timed: date chosen → open times (a sandbox availability call). */
export async function benchAvailabilityTurn(b: BenchFrontdesk): Promise<BenchRow> {
  const PATIENTS = 60;
  const dateChoice: string[] = [];
  const prepare = async (k: number) => {
    const u = `bench-avail-${k}`;
    const steps: { text?: string; choiceId?: string }[] = [
      { text: 'hi' },
      { choiceId: 'menu:book' },
      { choiceId: 'ans:yes' },
      { text: 'Maria Santos' },
      { text: '15/05/1990' },
      { text: '0917 123 4567' },
      { choiceId: 'gender:female' },
    ];
    for (const s of steps) {
      const replies = await say(b.fd.base, u, s);
      // a facility with SMS sends a code for the typed phone: go on without it
      if (replies.some((r) => r.choices?.some((c) => c.id === 'verify:skip'))) await say(b.fd.base, u, { choiceId: 'verify:skip' });
    }
    const dates = await say(b.fd.base, u, { choiceId: 'cal:201' });
    const date = dates.flatMap((r) => r.choices ?? []).find((c) => c.id.startsWith('date:') && c.id !== 'date:more');
    if (!date) throw new Error('no date offered');
    dateChoice[k] = date.id;
  };
  await Promise.all(Array.from({ length: 4 }, async (_, w) => {
    for (let k = w; k < PATIENTS; k += 4) await prepare(k);
  }));
  return runLoad({
    name: 'turn: date → open times (dev API + sandbox availability)',
    total: PATIENTS - 5,
    concurrency: 4,
    warmup: 5,
    op: async (i) => {
      const k = i + 5; // warm-up uses patients 0-4 (indexes -5…-1)
      const replies = await say(b.fd.base, `bench-avail-${k}`, { choiceId: dateChoice[k]! });
      if (!replies.some((r) => r.choices?.some((c) => c.id.startsWith('slot:')))) throw new Error('no open times');
    },
  });
}
