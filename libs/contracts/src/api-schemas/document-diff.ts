/** RFC 6901 escaping of one pointer segment. */
function segment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON pointers at which two documents differ (added, removed or changed members), in
 * document order. Arrays are compared element by element. Used to show what a version changed.
 */
export function changedPointers(before: unknown, after: unknown, pointer = ''): string[] {
  if (before === after) return [];
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  const bothObjects =
    typeof before === 'object' &&
    typeof after === 'object' &&
    before !== null &&
    after !== null &&
    !Array.isArray(before) &&
    !Array.isArray(after);
  if (bothArrays) {
    const a = before as unknown[];
    const b = after as unknown[];
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) =>
      changedPointers(a[i], b[i], `${pointer}/${i}`),
    ).flat();
  }
  if (bothObjects) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => changedPointers(a[k], b[k], `${pointer}/${segment(k)}`));
  }
  return [pointer];
}
