import { fail, runCheck } from './check.js';
import { errorShapeCheck, openApiCheck } from './contract-checks.js';
import { createProbe } from './probe.js';
import { readChecks } from './read-checks.js';
import { startReceiver, type Receiver } from './receiver.js';
import type { CheckResult, ConformanceOptions } from './types.js';
import { webhookChecks } from './webhook-checks.js';
import { writeChecks, type WriteTrace } from './write-checks.js';

export type { CheckResult, CheckStatus, ConformanceOptions, WebhookCheckOptions } from './types.js';

/**
 * Checks a provider against ../../shared/provider-contract.md over real HTTP and returns one result per check,
 * in a stable order. Never throws for the provider's faults: every problem is a failed (or warned) check.
 * With `write`, it books one test appointment and cancels it again; with `webhook`, a local receiver listens
 * (its URL goes to `webhook.onReceiverReady` before any request) and the deliveries are checked at the end.
 */
export async function runConformance(opts: ConformanceOptions): Promise<CheckResult[]> {
  const now = opts.now ?? (() => new Date());
  const probe = createProbe({
    baseUrl: opts.baseUrl,
    userId: opts.userId,
    apiKey: opts.apiKey,
    fetch: opts.fetch ?? globalThis.fetch,
    timeoutMs: opts.requestTimeoutMs ?? 15_000,
  });
  const results: CheckResult[] = [];

  let receiver: Receiver | undefined;
  if (opts.webhook) {
    const hook = opts.webhook;
    const started = await runCheck('webhook.receiver', 'the local webhook receiver starts', async () => {
      receiver = await startReceiver({
        secret: hook.secret,
        ...(hook.listenPort !== undefined ? { port: hook.listenPort } : {}),
        ...(hook.host ? { host: hook.host } : {}),
        ...(hook.publicUrl ? { publicUrl: hook.publicUrl } : {}),
      });
      await hook.onReceiverReady?.(receiver.url);
      return { status: 'pass', detail: receiver.url };
    });
    // only worth a row when it failed (a bad secret, a taken port)
    if (started.status !== 'pass') results.push({ ...started, ...fail(`${started.detail ?? 'failed'}`) });
  }

  try {
    const read = await readChecks({ probe, opts, now });
    results.push(...read.results);

    let trace: WriteTrace | undefined;
    if (opts.write) {
      const written = await writeChecks(probe, read, opts.timezone, now);
      results.push(...written.results);
      trace = written.trace;
    } else {
      results.push({ id: 'write', title: 'booking checks', status: 'skip', detail: 'read-only run (write: true / --write books, moves and cancels a test appointment)' });
    }

    if (receiver) results.push(...(await webhookChecks(receiver, opts.webhook?.waitMs ?? 10_000, trace)));

    results.push(await errorShapeCheck(probe.exchanges));
    results.push(await openApiCheck(probe.exchanges));
  } finally {
    await receiver?.close();
  }
  return results;
}
