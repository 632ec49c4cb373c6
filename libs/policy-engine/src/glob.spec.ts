import { compileGlob, globMatches, literalPrefix } from './glob';

describe('resource globs', () => {
  it.each([
    ['gitlab.*', 'gitlab.repo', true],
    ['gitlab.*', 'gitlab.', true],
    ['gitlab.*', 'gitlabx', false],
    ['internal.k8s.cluster', 'internal.k8s.cluster', true],
    ['internal.k8s.cluster', 'internal.k8s.clusterX', false],
    ['*', '', true],
    ['*.prod', 'k8s.prod', true],
    ['*.prod', 'k8s.prodx', false],
    ['svc?.data', 'svc1.data', true],
    ['svc?.data', 'svc10.data', false],
    ['arn:aws:s3:::*-logs/*', 'arn:aws:s3:::app-logs/2026/11', true],
    ['a.b', 'aXb', false],
    ['(x)+', '(x)+', true],
  ])('%s matches %s: %s', (glob, value, expected) => {
    expect(globMatches(compileGlob(glob), value)).toBe(expected);
  });

  it('keys the index on the literal prefix', () => {
    expect(literalPrefix('gitlab.*')).toBe('gitlab.');
    expect(literalPrefix('exact')).toBe('exact');
    expect(literalPrefix('*.prod')).toBe('');
  });
});

describe('resource globs with many wildcards', () => {
  it.each([
    ['*a*a*a*a*b', 'xaxaxaxaxb', true],
    ['*a*a*a*a*b', 'aaaab', true],
    ['*a*a*a*a*b', 'aaab', false],
    ['a*?*b', 'ab', false],
    ['a*?*b', 'axb', true],
    ['??', 'ab', true],
    ['??', 'abc', false],
    ['x*y?z', 'x-y-y1z', true],
    ['*.a.*', '.a.', true],
    ['*?*', '', false],
  ])('%s matches %s: %s', (glob, value, expected) => {
    expect(globMatches(compileGlob(glob), value)).toBe(expected);
  });

  it('refuses a 512-character near miss of *a*a*a*a*b without backtracking', () => {
    // A backtracking matcher tries every way to place the four `a`s: days at this length.
    expect(globMatches(compileGlob('*a*a*a*a*b'), 'a'.repeat(512))).toBe(false);
    expect(globMatches(compileGlob('*a*a*a*a*a*a*a*b'), 'a'.repeat(512))).toBe(false);
    expect(globMatches(compileGlob('*a?a*a?a*a*b'), 'a'.repeat(511) + 'c')).toBe(false);
  });

  it('keeps the common shapes as plain comparisons', () => {
    expect(compileGlob('gitlab.*').shape).toBe('prefix');
    expect(compileGlob('*.prod').shape).toBe('suffix');
    expect(compileGlob('exact').shape).toBe('exact');
    expect(compileGlob('*').shape).toBe('any');
    expect(compileGlob('a*b*c')).toEqual({ shape: 'pattern', segments: ['a', 'b', 'c'], minLength: 3 });
  });
});
