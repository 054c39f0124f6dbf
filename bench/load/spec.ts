/** What the loader child is asked to do, what it answers, and the orchestrator's call to it. */
import type { Channel } from '../fixtures.js';
import { cpuSeconds, forkChild } from '../child.js';

export interface LoadSpec {
  url: string;
  channel: Channel;
  connections: number;
  seconds: number;
  /** requests per second over all connections (autocannon `overallRate`); unset: as fast as answered */
  rate?: number;
  /** distinct senders the requests cycle through */
  senders: number;
  text?: string;
  /** untimed, gentle (≤ 200 req/s, ≤ 10 connections) warm-up before the measured run */
  warmupSeconds: number;
}

export interface LoadResult {
  /** requests made in the measured run */
  sent: number;
  /** responses received (any status) */
  completed: number;
  seconds: number;
  reqPerSec: number;
  ok2xx: number;
  non2xx: number;
  /** connection errors, timeouts included */
  errors: number;
  timeouts: number;
  /** the loader's own CPU during the measured run, share of one core */
  loaderCpu: number;
  /** milliseconds (autocannon's histogram: whole milliseconds) */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** the server's CPU during the measured run (share of one core), when its pid was given */
  serverCpu?: number;
}

/** runs autocannon in a child process and resolves with its summary (and the CPU of process `serverPid` meanwhile) */
export function load(spec: LoadSpec, serverPid?: number): Promise<LoadResult> {
  const { proc, output } = forkChild('./load/autocannon.ts', spec);
  return new Promise<LoadResult>((resolve, reject) => {
    let done = false;
    let cpu0: { cpu?: number; at: number } | undefined;
    proc.on('message', (m: { type: string; result?: LoadResult; error?: string }) => {
      if (m.type === 'measuring') {
        cpu0 = { ...(serverPid ? { cpu: cpuSeconds(serverPid) } : {}), at: performance.now() };
        return;
      }
      done = true;
      if (m.type === 'result' && m.result) {
        const cpu1 = serverPid ? cpuSeconds(serverPid) : undefined;
        const serverCpu = cpu0?.cpu !== undefined && cpu1 !== undefined ? (cpu1 - cpu0.cpu) / ((performance.now() - cpu0.at) / 1000) : undefined;
        resolve({ ...m.result, ...(serverCpu !== undefined ? { serverCpu } : {}) });
      } else reject(new Error(`loader: ${m.error ?? 'no result'}`));
    });
    proc.once('exit', (code) => {
      if (!done) reject(new Error(`loader exited (${code}) without a result: ${output().slice(-500)}`));
    });
  });
}
