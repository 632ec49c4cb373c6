/** Compiles a resource glob (`*` any run of characters, `?` one) to an anchored regular expression. */
export function compileGlob(glob: string): RegExp {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

/** The literal part of a glob before its first wildcard: what an index can key on. */
export function literalPrefix(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  return wildcard === -1 ? glob : glob.slice(0, wildcard);
}
