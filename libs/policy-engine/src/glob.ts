/** Tests a resource id against a compiled glob. */
export type GlobMatcher = (value: string) => boolean;

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

/**
 * Compiles a resource glob (`*` any run of characters, `?` one). The common shapes (exact,
 * `prefix*`, `*suffix`, `*`) become string comparisons: with 100k policies, 100k regular
 * expressions each run rarely would stay in V8's slow interpreter tier and thrash the caches.
 */
export function compileGlob(glob: string): GlobMatcher {
  const wildcards = glob.match(/[*?]/g)?.length ?? 0;
  if (wildcards === 0) return (value) => value === glob;
  if (glob === '*') return () => true;
  if (wildcards === 1 && glob.endsWith('*')) {
    const prefix = glob.slice(0, -1);
    return (value) => value.startsWith(prefix);
  }
  if (wildcards === 1 && glob.startsWith('*')) {
    const suffix = glob.slice(1);
    return (value) => value.endsWith(suffix);
  }
  const regex = globToRegExp(glob);
  return (value) => regex.test(value);
}

/** The literal part of a glob before its first wildcard: what an index can key on. */
export function literalPrefix(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}
