/** The outcome of one check of a fault case: what was asserted, and what was seen when it failed. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A check that passes when `problems` is empty; the detail shows the first few problems. */
export function checkOf(name: string, problems: string[], summary = ''): Check {
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? `; … ${problems.length - 5} more` : '';
  return {
    name,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? summary
        : `${problems.length} problem(s): ${shown}${more}${summary ? ` (${summary})` : ''}`,
  };
}

/** Counts of values, as "a×3, b×1", for readable details. */
export function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}×${n}`).join(', ');
}
