/** A body past the cap: not retried (the same request gets the same body), not a breaker failure. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limitBytes: number,
  ) {
    super(`response larger than ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Reads a body as a stream, giving up (and cancelling it) as soon as it passes `limit` bytes. */
export async function readCapped(res: Response, limit = Number.POSITIVE_INFINITY): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(res.status, limit);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(res.status, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON when the text is JSON, else undefined (the raw text travels next to it). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
