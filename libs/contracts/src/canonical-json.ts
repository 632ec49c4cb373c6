/**
 * RFC 8785 (JCS) canonical JSON: object members sorted by key, no whitespace, numbers and strings
 * as ECMAScript serializes them. Hashes over events (audit chain, request digests) use it so that
 * any implementation in any language computes the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`${typeof value} has no JSON form`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    // JCS orders keys by UTF-16 code units, which is what plain string comparison does.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${members.join(',')}}`;
}
