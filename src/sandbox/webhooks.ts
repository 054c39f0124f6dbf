import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, bulkhead, halfJitterGenerator, type IBackoff } from 'cockatiel';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../log.js';

/**
 * Signed webhook deliveries (Standard Webhooks) with retries and backoff, off the request path.
 * Every attempt of one event carries the same `webhook-id` and a fresh timestamp and signature.
 * The timestamp is the real clock (the receiver checks it against its own), not the sandbox's `now`.
 * The retry loop is ours (with cockatiel's backoff) because cockatiel's retry wait cannot be cancelled:
 * `stop()` must end every pending delivery at once, not up to 30 s later.
 */

export interface DeliveryView {
  id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface DispatcherOptions {
  maxAttempts: number;
  initialDelayMs: number;
  logger: Logger;
  timeoutMs?: number;
}

class DeliveryFailed extends Error {}

export class WebhookDispatcher {
  private readonly views = new Map<string, DeliveryView[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly backoff;
  /** at most this many requests at once towards receivers (a bulk of hundreds must not flood the bot) */
  private readonly limiter = bulkhead(16, Number.POSITIVE_INFINITY);

  constructor(private readonly opts: DispatcherOptions) {
    // half jitter: the n-th wait is between ½ and 1 × initialDelay·2ⁿ⁻¹, so a configured delay is a real lower bound
    this.backoff = new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: opts.initialDelayMs,
      maxDelay: Math.max(opts.initialDelayMs, 30_000),
    });
  }

  /** Queues one event; returns at once. */
  send(facilityId: string, target: WebhookTarget, type: string, envelope: unknown): void {
    const view: DeliveryView = { id: `msg_${randomUUID().replace(/-/g, '')}`, type, status: 'pending', attempts: 0 };
    const list = this.views.get(facilityId) ?? [];
    list.push(view);
    this.views.set(facilityId, list);
    const payload = JSON.stringify(envelope);
    const signer = new Webhook(target.secret);
    const signal = this.abort.signal;

    const attempt = async (): Promise<void> => {
      if (signal.aborted) throw new DeliveryFailed('stopped');
      view.attempts++;
      const now = new Date();
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': view.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signer.sign(view.id, now, payload),
        },
        body: payload,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) throw new DeliveryFailed(`receiver answered ${res.status}`);
    };

    const deliver = async (): Promise<void> => {
      let wait: IBackoff<unknown> | undefined;
      for (;;) {
        try {
          await this.limiter.execute(attempt);
          return;
        } catch (e) {
          if (signal.aborted || view.attempts >= this.opts.maxAttempts) throw e;
        }
        wait = wait ? wait.next(undefined) : this.backoff.next();
        await sleep(wait.duration, undefined, { signal }); // rejects at once on stop()
      }
    };

    const run = deliver()
      .then(() => {
        view.status = 'delivered';
      })
      .catch((e: unknown) => {
        view.status = 'failed';
        const fields = { facilityId, webhookId: view.id, type, attempts: view.attempts, reason: (e as Error).message };
        if (signal.aborted) this.opts.logger.debug(fields, 'sandbox webhook dropped at stop');
        else this.opts.logger.warn(fields, 'sandbox webhook gave up');
      });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  deliveries(facilityId: string): DeliveryView[] {
    return (this.views.get(facilityId) ?? []).map((v) => ({ ...v }));
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops every delivery now: requests in flight are aborted and waits between attempts end; resolves once all have settled. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.flush();
  }
}
