import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../src/log.js';
import { createSandbox } from '../../src/sandbox/index.js';

/**
 * `GET /availability` of the sandbox over real HTTP on loopback: a month of one calendar and type per request,
 * across every seeded calendar and the three months in the booking window. Bounded: 20 warm-up + 300 timed requests.
 */

const WARMUP = 20;
const REQUESTS = 300;
/** Monday 2 March 2026, 09:00 in Manila: March, April and May are in the 90-day window */
const NOW = new Date('2026-03-02T09:00:00+08:00');
const FACILITY = { id: 'bench-clinic', timezone: 'Asia/Manila', userId: 'bench', apiKey: 'bench-key' };
const QUERIES = ['101:1001', '101:1002', '102:1011', '102:1013', '103:1022', '201:2001'].flatMap((pair) => {
  const [calendar, type] = pair.split(':');
  return ['2026-03', '2026-04', '2026-05'].map((month) => `month=${month}&calendar_id=${calendar}&appointment_type_id=${type}`);
});

export async function benchSandboxAvailability(): Promise<{ name: string; ops: number; msPerOp: number }> {
  const sandbox = createSandbox({ facilities: [FACILITY], now: () => NOW, logger: createLogger({ level: 'silent' }) });
  const server = sandbox.app.listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/${FACILITY.id}/api/v1/availability?`;
    const authorization = `Basic ${Buffer.from(`${FACILITY.userId}:${FACILITY.apiKey}`).toString('base64')}`;
    const get = async (i: number): Promise<void> => {
      const res = await fetch(base + QUERIES[i % QUERIES.length], { headers: { authorization } });
      const body = (await res.json()) as { slots?: unknown[] };
      if (res.status !== 200 || !Array.isArray(body.slots)) throw new Error(`availability answered ${res.status}`);
    };
    for (let i = 0; i < WARMUP; i++) await get(i);
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) await get(i);
    const elapsed = performance.now() - started;
    return { name: 'sandbox GET /availability (one calendar-month, HTTP)', ops: REQUESTS, msPerOp: elapsed / REQUESTS };
  } finally {
    await sandbox.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchSandboxAvailability();
  console.log(`${r.name}: ${r.ops} requests, ${r.msPerOp.toFixed(2)} ms/request`);
}
