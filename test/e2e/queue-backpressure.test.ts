/**
 * Issue 11: backpressure you can see. The queues' depth, oldest waiting age and turn latency are on
 * /metrics; /readyz answers 503 while the oldest waiting item is older than `queue.maxBacklogSeconds`,
 * and ready again once the workers caught up. A webhook is acknowledged while no worker runs at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, messengerText, postMessenger, startFrontdesk, startPlatforms, testConfig, type Platforms } from '../support/frontdesk.js';

let platforms: Platforms;
let fd: Awaited<ReturnType<typeof startFrontdesk>>;

beforeAll(async () => {
  platforms = await startPlatforms();
  fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url, extra: { queue: { maxBacklogSeconds: 0.3 } } }));
});
afterAll(async () => {
  await fd?.close();
  await platforms?.close();
});

const gauge = (text: string, name: string, queue: string) => Number(new RegExp(`^${name}\\{queue="${queue}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
const metrics = async () => (await fetch(`${fd.base}/metrics`)).text();

describe('queue backpressure', () => {
  it('acknowledges without a worker, shows the backlog, degrades readiness past the bound, recovers', async () => {
    expect((await fetch(`${fd.base}/readyz`)).status).toBe(200);
    await fd.queues.inbound.stop(); // the workers fall behind (here: none at all)
    const psids = ['bp-1', 'bp-2', 'bp-3'];
    for (const p of psids) expect((await postMessenger(fd.base, messengerText(p, 'hi'))).status).toBe(200);

    let text = await metrics();
    expect(gauge(text, 'frontdesk_queue_depth', 'inbound')).toBe(3);
    expect(gauge(text, 'frontdesk_queue_depth', 'outbound')).toBe(0);
    await new Promise((r) => setTimeout(r, 450));
    text = await metrics();
    expect(gauge(text, 'frontdesk_queue_oldest_seconds', 'inbound')).toBeGreaterThan(0.3);
    const degraded = await fetch(`${fd.base}/readyz`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({ status: 'not_ready', checks: { store: true, queue: true, backlog: false } });
    expect(platforms.graph()).toHaveLength(0);

    fd.queues.inbound.start();
    await eventually(() => psids.every((p) => platforms.graph().some((r) => r.json.recipient?.id === p)), 'the backlog answered');
    await eventually(async () => (await fetch(`${fd.base}/readyz`)).status === 200, 'ready again');
    // one stats read serves a scrape's gauges for 100 ms (src/http/metrics.ts): the drained queue shows on a fresh one
    await new Promise((r) => setTimeout(r, 150));
    text = await metrics();
    expect(gauge(text, 'frontdesk_queue_depth', 'inbound')).toBe(0);
    expect(gauge(text, 'frontdesk_queue_oldest_seconds', 'inbound')).toBe(0);
    expect(text).toMatch(/^frontdesk_turn_seconds_count [3-9]/m);
    expect(text).toMatch(/^frontdesk_queue_wait_seconds_count\{queue="inbound",outcome="done"\} 3$/m);
  });
});
