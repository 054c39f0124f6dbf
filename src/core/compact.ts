/**
 * The object without its `undefined` fields (and, with `nulls`, its `null` ones: a provider's "no value"),
 * so optional properties stay absent rather than present-and-undefined. A new object; the one such helper.
 */
export function compact<T extends object>(o: T, opts: { nulls?: boolean } = {}): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && !(opts.nulls && v === null)) out[k] = v;
  return out as T;
}
