/**
 * better-sqlite3 runs every statement synchronously, so a conversation turn (tens of store calls chained
 * by already-resolved promises) would hold the event loop for its whole length, and webhooks arriving
 * meanwhile would wait for it. A store call that finds the loop held for longer than a slice first lets
 * it go round once (`setImmediate`), so the HTTP side gets in between the pieces of a turn.
 */
const SLICE_MS = 1;
let since = performance.now();

export async function fairShare(): Promise<void> {
  const now = performance.now();
  if (now - since < SLICE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  since = performance.now();
}
