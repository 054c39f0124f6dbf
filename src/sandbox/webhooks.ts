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

/** 127.0.0.0/8, localhost and [::1] (as WHATWG URL spells hostnames). */
const isLoopbackHost = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * Why `PUT /sandbox/:facilityId/staff/webhook` may not send this facility's webhooks to `raw`, if it may not.
 * Only the bot's own provider-webhook route on this machine is allowed
 * (`http://127.0.0.1:PORT/webhooks/provider/<facilityId>`): the sandbox's credentials are public in the demo,
 * and an open target would let anyone make this server POST to any address.
 */
export function webhookTargetProblem(raw: string, facilityId: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must be http(s)';
  if (url.username || url.password) return 'url must not carry credentials';
  if (!isLoopbackHost(url.hostname)) return 'url must be on this machine (127.0.0.0/8, localhost or [::1])';
  if (url.pathname !== `/webhooks/provider/${facilityId}`) return `url must be the bot's provider-webhook route, /webhooks/provider/${facilityId}`;
  return undefined;
}

/** Standard Webhooks secrets the dispatcher can sign with: whsec_ + padded base64 of at least 24 bytes. */
export function webhookSecretProblem(secret: string): string | undefined {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
  if (b64.length === 0 || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return 'secret must be whsec_ followed by base64';
  try {
    new Webhook(secret);
  } catch {
    return 'secret must be whsec_ followed by base64';
  }
  if (Buffer.from(b64, 'base64').length < 24) return 'secret must hold at least 24 bytes (before base64)';
  return undefined;
}

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
