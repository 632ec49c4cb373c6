/**
 * The nearest-rank percentile of ascending values: the smallest value with at least p of the
 * values at or below it. It is always an observed value, so "fleet 99th percentile 32" names a
 * patch age some healthy device really had.
 */
export function percentile(ascending: readonly number[], p: number): number {
  if (ascending.length === 0) throw new Error('the percentile of no values is undefined');
  const rank = Math.ceil(p * ascending.length);
  return ascending[Math.min(ascending.length, Math.max(1, rank)) - 1];
}
