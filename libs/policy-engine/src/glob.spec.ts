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
