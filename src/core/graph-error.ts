/** The error body of Meta's Graph API (Messenger, WhatsApp): `{"error": {"code", "error_subcode", …}}`, read tolerantly. */
export interface GraphError {
  code?: number;
  subcode?: number;
}

export function readGraphError(body: unknown): GraphError | undefined {
  const e = (body as { error?: { code?: unknown; error_subcode?: unknown } } | undefined)?.error;
  if (typeof e !== 'object' || e === null) return undefined;
  return {
    ...(typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.error_subcode === 'number' ? { subcode: e.error_subcode } : {}),
  };
}
