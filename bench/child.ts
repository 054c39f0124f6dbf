/**
 * The orchestrator's side of a bench child (a server of bench/servers or the loader of bench/load):
 * `node --import tsx --expose-gc <script>` forked with an IPC channel, options in BENCH_OPTS. A server
 * is ready once it sends its URL; commands go over IPC and come back as replies.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Child {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly proc: ChildProcess;
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** resident set size after a GC in the child, bytes */
  rss(): Promise<number>;
  /** asks the child to stop, kills it when it has not exited within `graceMs` */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

interface Reply {
  type: 'reply';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const children = new Set<ChildProcess>();
/** no child outlives the orchestrator, however it ends */
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** BENCH_PROFILE=<dir>: frontdesk children write a V8 CPU profile there when they stop (not when killed) */
export const PROFILE_DIR = process.env.BENCH_PROFILE;

export function forkChild(script: string, opts: unknown, extraEnv: Record<string, string> = {}): { proc: ChildProcess; output: () => string } {
  const profile = PROFILE_DIR && script.includes('frontdesk') ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const proc = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc', ...profile],
    env: { ...process.env, BENCH_OPTS: JSON.stringify(opts), NODE_ENV: 'production', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-4000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  // one line (error messages end up in table cells)
  return { proc, output: () => out.replace(/\s+/g, ' ') };
}

const exited = (proc: ChildProcess) => new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));

/** starts a server child and resolves once it listens */
export async function startServer(name: string, script: string, opts: unknown = {}, timeoutMs = 120_000): Promise<Child> {
  const { proc, output } = forkChild(script, opts);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not listening after ${timeoutMs} ms: ${output().slice(-500)}`)), timeoutMs);
    proc.on('message', (m: { type: string; url?: string; error?: string }) => {
      if (m.type === 'listening' && m.url) {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name}: ${m.error ?? 'failed to start'}`));
      } else if (m.type === 'reply') {
        const r = m as unknown as Reply;
        const p = pending.get(r.id);
        pending.delete(r.id);
        if (r.ok) p?.resolve(r.result);
        else p?.reject(new Error(`${name}: ${r.error}`));
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${output().slice(-800)}`));
      for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    });
  });
  const kill = async () => {
    proc.kill('SIGKILL');
    await exited(proc);
  };
  const call = <T>(cmd: string, args?: unknown, callTimeoutMs = 600_000) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: ${cmd} timed out`));
      }, callTimeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      proc.send({ id, cmd, args });
    });
  return {
    name,
    url,
    pid: proc.pid!,
    proc,
    call,
    async rss() {
      return (await call<{ rss: number }>('memory', undefined, 30_000)).rss;
    },
    async stop(grace = 5000) {
      // a profile is written at a clean exit only: give it time
      const graceMs = PROFILE_DIR ? Math.max(grace, 60_000) : grace;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      call('stop', undefined, graceMs).catch(() => proc.kill('SIGKILL'));
      await exited(proc);
      clearTimeout(timer);
    },
    kill,
  };
}

/** CPU time (user + system, every thread) a process has used so far, seconds; undefined off Linux */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields from the 3rd on: utime and stime are the 14th and 15th of the whole line, in clock ticks (100 Hz on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** peak resident set size of a process so far (VmHWM), bytes; undefined off Linux */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
