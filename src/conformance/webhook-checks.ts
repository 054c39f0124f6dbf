import { setTimeout as sleep } from 'node:timers/promises';
import { fail, listed, pass, runCheck, skip, warn } from './check.js';
import type { Delivery, Receiver } from './receiver.js';
import type { CheckResult } from './types.js';
import type { WriteTrace } from './write-checks.js';

/** The webhook checks (contract §4), on what the local receiver got while the other checks ran. */

const KNOWN_TYPES = new Set([
  'appointmentCreated', 'appointmentRescheduled', 'appointmentCanceled', 'appointmentConfirmed',
  'patientCheckedIn', 'appointmentNoShow', 'patientCreated',
]);

/** The status an appointment event should carry beyond what the schema already pins. */
const STATUS_OF: Record<string, string> = {
  appointmentCreated: 'SCHEDULED',
  appointmentRescheduled: 'RESCHEDULED',
  appointmentConfirmed: 'CONFIRMED',
};

interface Expectation {
  type: string;
  required: boolean;
}

function expectations(trace: WriteTrace | undefined): Expectation[] {
  if (!trace?.created) return [];
  return [
    { type: 'appointmentCreated', required: true },
    ...(trace.rescheduled ? [{ type: 'appointmentRescheduled', required: true }] : []),
    ...(trace.confirmed ? [{ type: 'appointmentConfirmed', required: false }] : []),
    ...(trace.canceled ? [{ type: 'appointmentCanceled', required: true }] : []),
  ];
}

const seenFor = (deliveries: Delivery[], trace: WriteTrace, type: string) =>
  deliveries.some((d) => d.type === type && d.appointmentId !== undefined && trace.appointmentIds.has(d.appointmentId));

/** One delivery per webhook-id (retries carry the same id). */
function events(deliveries: Delivery[]): Delivery[] {
  const byId = new Map<string, Delivery>();
  const anonymous: Delivery[] = [];
  for (const d of deliveries) {
    if (!d.webhookId) anonymous.push(d);
    else if (!byId.has(d.webhookId)) byId.set(d.webhookId, d);
  }
  return [...byId.values(), ...anonymous];
}

export async function webhookChecks(receiver: Receiver, waitMs: number, trace: WriteTrace | undefined): Promise<CheckResult[]> {
  const expected = expectations(trace);
  const deadline = Date.now() + waitMs;
  const allSeen = () => trace !== undefined && expected.length > 0 && expected.every((e) => seenFor(receiver.deliveries, trace, e.type));
  while (Date.now() < deadline && !allSeen()) await sleep(Math.min(100, Math.max(1, deadline - Date.now())));

  const all = [...receiver.deliveries];
  const unique = events(all);
  const results: CheckResult[] = [];
  const none = 'no webhook arrived';

  results.push(
    await runCheck('webhook.delivered', 'webhooks reach the local receiver', () => {
      if (all.length === 0) {
        const why = `${none} within ${waitMs} ms`;
        return expected.length ? fail(`${why} (the provider must POST to ${receiver.url})`) : warn(`${why}: run with --write, or act in the provider's own UI meanwhile`);
      }
      const counts = new Map<string, number>();
      for (const d of unique) counts.set(d.type ?? '(no type)', (counts.get(d.type ?? '(no type)') ?? 0) + 1);
      const types = [...counts].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ');
      const retries = all.length - unique.length;
      return pass(`${unique.length} events${retries ? ` (+${retries} retries)` : ''}: ${types}`);
    }),
  );

  results.push(
    await runCheck('webhook.signature', 'deliveries are signed (Standard Webhooks v1, timestamp within 5 min)', () => {
      if (all.length === 0) return skip(none);
      const bad = all.filter((d) => d.signatureProblem);
      if (bad.length) return fail(`${bad.length} of ${all.length} rejected: ${listed(bad.map((d) => `${d.type ?? '?'} ${d.webhookId ?? '(no webhook-id)'}: ${d.signatureProblem}`))}`);
      const noId = all.filter((d) => !d.webhookId).length;
      return noId ? fail(`${noId} deliveries without webhook-id`) : pass(`${all.length} verified`);
    }),
  );

  results.push(
    await runCheck('webhook.envelope', 'webhook bodies match the contract envelope', () => {
      if (all.length === 0) return skip(none);
      const problems = unique.flatMap((d) => d.envelopeProblems.map((p) => `${d.type ?? '?'}: ${p}`));
      if (problems.length) return fail(listed(problems));
      const unknown = unique.filter((d) => d.type && !KNOWN_TYPES.has(d.type)).map((d) => d.type!);
      const statusOff = unique
        .filter((d) => d.type && STATUS_OF[d.type] && d.appointmentStatus !== STATUS_OF[d.type])
        .map((d) => `${d.type} with status ${JSON.stringify(d.appointmentStatus)}`);
      const notes = [...(unknown.length ? [`unknown types (acknowledged, ignored): ${[...new Set(unknown)].join(', ')}`] : []), ...statusOff];
      return notes.length ? warn(listed(notes)) : pass(`${unique.length} valid`);
    }),
  );

  if (trace?.created) {
    results.push(
      await runCheck('webhook.events', 'the test appointment produced its webhooks', () => {
        const missing = expected.filter((e) => !seenFor(all, trace, e.type));
        const seen = expected.filter((e) => seenFor(all, trace, e.type)).map((e) => e.type);
        if (missing.some((e) => e.required)) return fail(`missing: ${missing.map((e) => e.type).join(', ')}; seen: ${seen.join(', ') || 'none'}`);
        if (missing.length) return warn(`missing: ${missing.map((e) => e.type).join(', ')}; seen: ${seen.join(', ')}`);
        return pass(seen.join(', '));
      }),
    );
  }
  return results;
}
