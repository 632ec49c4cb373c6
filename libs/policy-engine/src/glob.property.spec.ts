import fc from 'fast-check';
import { compileGlob, globMatches } from './glob';

/** The definition of a glob, by brute force: try every split `*` could make. Exponential, small inputs only. */
function reference(glob: string, value: string): boolean {
  if (glob === '') return value === '';
  if (glob[0] === '*') {
    for (let i = 0; i <= value.length; i++) if (reference(glob.slice(1), value.slice(i))) return true;
    return false;
  }
  if (value === '') return false;
  return (glob[0] === '?' || glob[0] === value[0]) && reference(glob.slice(1), value.slice(1));
}

// A two-letter alphabet, so random patterns and ids actually meet and near-misses are common.
const glob = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 8 });
const id = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 10 });

describe('resource globs, against their definition', () => {
  it('match exactly when the brute-force reference does', () => {
    fc.assert(
      fc.property(glob, id, (g, v) => globMatches(compileGlob(g), v) === reference(g, v)),
      { numRuns: 5000 },
    );
  });

  it('match ids that are instances of the pattern', () => {
    // Build an id from the pattern itself, so matches (rare by chance with many `*`s) are tested too.
    const instance = fc
      .array(
        fc.tuple(
          fc.constantFrom('a', 'b', '*', '?', 'ab'),
          fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 }),
        ),
        { maxLength: 6 },
      )
      .map((parts) => ({
        pattern: parts.map(([p]) => p).join(''),
        value: parts.map(([p, fill]) => (p === '*' ? fill : p === '?' ? (fill[0] ?? 'a') : p)).join(''),
      }));
    fc.assert(fc.property(instance, ({ pattern, value }) => globMatches(compileGlob(pattern), value)));
  });
});
