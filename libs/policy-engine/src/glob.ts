/**
 * A compiled resource glob (`*` any run of characters, `?` one). The common shapes (exact,
 * `prefix*`, `*suffix`, `*`) are string comparisons held as plain data rather than closures or
 * regular expressions: with 100k policies, 100k regular expressions each run rarely would stay in
 * V8's slow interpreter tier, and a closure is two more objects to fetch from memory per check.
 * Every other glob is its segments between `*`s (which may hold `?`), matched without
 * backtracking: a regular expression such as `^.*a.*a.*a.*b$` backtracks exponentially in the
 * number of `*`s on an id that almost matches, and a resource id is the caller's to choose.
 */
export type Glob =
  | { shape: 'exact' | 'prefix' | 'suffix'; literal: string }
  | { shape: 'any' }
  | { shape: 'pattern'; segments: readonly string[]; minLength: number };

/** Most wildcards (`*` and `?` together) one resource pattern may hold; validation refuses more. */
export const MAX_GLOB_WILDCARDS = 8;

/** How many wildcards (`*`, `?`) a resource pattern holds. */
export function globWildcards(glob: string): number {
  let count = 0;
  for (let i = 0; i < glob.length; i++) if (glob[i] === '*' || glob[i] === '?') count++;
  return count;
}

/** Compiles a resource glob. */
export function compileGlob(glob: string): Glob {
  const wildcards = globWildcards(glob);
  if (wildcards === 0) return { shape: 'exact', literal: glob };
  if (glob === '*') return { shape: 'any' };
  if (wildcards === 1 && glob.endsWith('*')) return { shape: 'prefix', literal: glob.slice(0, -1) };
  if (wildcards === 1 && glob.startsWith('*')) return { shape: 'suffix', literal: glob.slice(1) };
  const segments = glob.split('*');
  return { shape: 'pattern', segments, minLength: segments.reduce((n, s) => n + s.length, 0) };
}

/** Whether `segment` (where `?` is any one character) occurs in `value` at `at`. */
function segmentAt(segment: string, value: string, at: number): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c !== 0x3f /* ? */ && c !== value.charCodeAt(at + i)) return false;
  }
  return true;
}

/** The leftmost index ≥ from where `segment` occurs in `value` ending by `end`, else -1. */
function leftmost(segment: string, value: string, from: number, end: number): number {
  if (!segment.includes('?')) {
    const at = value.indexOf(segment, from);
    return at !== -1 && at + segment.length <= end ? at : -1;
  }
  for (let at = from; at + segment.length <= end; at++) if (segmentAt(segment, value, at)) return at;
  return -1;
}

/**
 * Whether the value matches segments separated by `*`: the first anchored at the start, the last
 * at the end, each middle one at its leftmost place after the one before. Taking the leftmost is
 * never wrong (it leaves the most room for the rest), so nothing is ever retried: the work is at
 * most the id's length times the pattern's, whatever the number of `*`s.
 */
function segmentsMatch(segments: readonly string[], minLength: number, value: string): boolean {
  if (value.length < minLength) return false;
  const first = segments[0];
  if (segments.length === 1) return value.length === first.length && segmentAt(first, value, 0);
  const last = segments[segments.length - 1];
  const end = value.length - last.length;
  if (!segmentAt(first, value, 0) || !segmentAt(last, value, end)) return false;
  let from = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const at = leftmost(segments[i], value, from, end);
    if (at === -1) return false;
    from = at + segments[i].length;
  }
  return true;
}

/** Whether a resource id matches a compiled glob. */
export function globMatches(glob: Glob, value: string): boolean {
  switch (glob.shape) {
    case 'exact':
      return value === glob.literal;
    case 'prefix':
      return value.startsWith(glob.literal);
    case 'suffix':
      return value.endsWith(glob.literal);
    case 'any':
      return true;
    case 'pattern':
      return segmentsMatch(glob.segments, glob.minLength, value);
  }
}

/** The literal part of a glob before its first wildcard: what an index can key on. */
export function literalPrefix(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}
