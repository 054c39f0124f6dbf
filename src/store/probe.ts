import { randomUUID } from 'node:crypto';
import type { StoreBackend } from './types.js';

export const PROBE_TIMEOUT_MS = 2_000;

/**
 * Readiness of the store: a real write, read back and delete of a probe key (a ping only proves the
 * connection; a full disk, a read-only replica or a refused write still answers it). False on any
 * error, on a wrong read, or when the three steps take longer than `timeoutMs`.
 */
export async function probeStore(backend: StoreBackend, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const key = `ready-probe:${randomUUID()}`;
  const token = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const attempt = (async () => {
    try {
      await backend.kv.set(key, token, 60_000);
      const back = await backend.kv.get<string>(key);
      await backend.kv.delete(key);
      return back === token;
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
