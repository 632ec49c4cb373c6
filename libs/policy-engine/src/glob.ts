/**
 * A compiled resource glob (`*` any run of characters, `?` one). The common shapes (exact,
 * `prefix*`, `*suffix`, `*`) are string comparisons held as plain data rather than closures or
 * regular expressions: with 100k policies, 100k regular expressions each run rarely would stay in
 * V8's slow interpreter tier, and a closure is two more objects to fetch from memory per check.
 */
export type Glob =
  | { shape: 'exact' | 'prefix' | 'suffix'; literal: string }
  | { shape: 'any' }
  | { shape: 'pattern'; regex: RegExp };

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

/** Compiles a resource glob. */
export function compileGlob(glob: string): Glob {
  const wildcards = glob.match(/[*?]/g)?.length ?? 0;
  if (wildcards === 0) return { shape: 'exact', literal: glob };
  if (glob === '*') return { shape: 'any' };
  if (wildcards === 1 && glob.endsWith('*')) return { shape: 'prefix', literal: glob.slice(0, -1) };
  if (wildcards === 1 && glob.startsWith('*')) return { shape: 'suffix', literal: glob.slice(1) };
  return { shape: 'pattern', regex: globToRegExp(glob) };
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
      return glob.regex.test(value);
  }
}

/** The literal part of a glob before its first wildcard: what an index can key on. */
export function literalPrefix(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}
