/** A run of a sorted array, `[from, to)`, that a search takes candidates from. */
export interface SortedRun {
  ids: readonly string[];
  from: number;
  to: number;
}

/** The whole of a sorted array. */
export const wholeRun = (ids: readonly string[]): SortedRun => ({ ids, from: 0, to: ids.length });

/** The first index in `[from, to)` whose id is above `after` (or at least `min` when inclusive). */
function lowerBound(
  ids: readonly string[],
  from: number,
  to: number,
  key: string,
  inclusive: boolean,
): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < key || (!inclusive && ids[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The run of a sorted array whose ids start with `prefix`. */
export function prefixRun(ids: readonly string[], prefix: string): SortedRun {
  if (prefix === '') return wholeRun(ids);
  const from = lowerBound(ids, 0, ids.length, prefix, true);
  let to = from;
  // Ids with the prefix are contiguous from `from`; an exponential then binary search finds the end.
  let step = 1;
  while (to + step <= ids.length && ids[to + step - 1].startsWith(prefix)) {
    to += step;
    step *= 2;
  }
  let hi = Math.min(ids.length, to + step);
  while (to < hi) {
    const mid = (to + hi) >>> 1;
    if (ids[mid].startsWith(prefix)) to = mid + 1;
    else hi = mid;
  }
  return { ids, from, to };
}

/**
 * The sorted union of several sorted runs, without repeats, from just after a cursor: a k-way
 * merge over a binary heap, so a page costs the candidates it takes (times log k), not the size
 * of the runs. Lazy: the walk stops where the page's budget does.
 */
export class SortedUnion {
  private readonly heads: { run: SortedRun; at: number }[] = [];
  private last: string | undefined;

  constructor(runs: readonly SortedRun[], after?: string) {
    for (const run of runs) {
      const at = after === undefined ? run.from : lowerBound(run.ids, run.from, run.to, after, false);
      if (at < run.to) this.heads.push({ run, at });
    }
    for (let i = (this.heads.length >>> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Whether another id follows. */
  get more(): boolean {
    this.skipRepeats();
    return this.heads.length > 0;
  }

  /** The next id, or undefined at the end. */
  next(): string | undefined {
    this.skipRepeats();
    if (this.heads.length === 0) return undefined;
    const id = this.take();
    this.last = id;
    return id;
  }

  private skipRepeats(): void {
    while (this.heads.length > 0 && this.peek() === this.last) this.take();
  }

  private peek(): string {
    const top = this.heads[0];
    return top.run.ids[top.at];
  }

  private take(): string {
    const top = this.heads[0];
    const id = top.run.ids[top.at];
    top.at++;
    if (top.at >= top.run.to) {
      const tail = this.heads.pop() as { run: SortedRun; at: number };
      if (this.heads.length > 0) this.heads[0] = tail;
    }
    if (this.heads.length > 0) this.down(0);
    return id;
  }

  private down(i: number): void {
    const heads = this.heads;
    const key = (n: number) => heads[n].run.ids[heads[n].at];
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < heads.length && key(l) < key(least)) least = l;
      if (r < heads.length && key(r) < key(least)) least = r;
      if (least === i) return;
      [heads[i], heads[least]] = [heads[least], heads[i]];
      i = least;
    }
  }
}
