import { boundsIssues } from './validation';
import { parsePolicy } from './parse';

function pointers(input: unknown): string[] {
  const result = parsePolicy(input);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.errors.map((e) => e.pointer);
}

const accepts = (input: unknown) => expect(parsePolicy(input)).toMatchObject({ ok: true });

// Nine wildcards: one more than a resource pattern may hold.
const TOO_WILD = '*a*a*a*a?b*c*d*e*';
const WILD_ENOUGH = '*a*a*a*a?b*c*d*e';

describe('resource patterns with too many wildcards', () => {
  it('are refused in the zt shape at the resource', () => {
    const zt = {
      id: 'p1',
      name: 'x',
      subjects: ['*'],
      resources: ['ok.*', TOO_WILD],
      actions: ['read'],
      effect: 'allow',
    };
    expect(pointers(zt)).toEqual(['/resources/1']);
    accepts({ ...zt, resources: ['ok.*', WILD_ENOUGH] });
  });

  it('are refused in the NIST shape at the resource id', () => {
    const nist = {
      policyId: 'n1',
      name: 'n',
      effect: 'allow',
      subjects: [{ type: 'user', id: 'u' }],
      resources: [{ type: 'api', id: TOO_WILD }],
    };
    expect(pointers(nist)).toEqual(['/resources/0/id']);
    accepts({ ...nist, resources: [{ type: 'api', id: WILD_ENOUGH }] });
  });

  it('are refused in the ZTNA shape at the fqdn or id that holds them', () => {
    const ztna = {
      id: '11111111-2222-4333-8444-555555555555',
      name: 'z',
      enabled: true,
      decision: 'allow',
      subjects: [{ type: 'group', id: 'g' }],
      resources: [{ type: 'application', id: 'app', fqdn: TOO_WILD }],
    };
    expect(pointers(ztna)).toEqual(['/resources/0/fqdn']);
    expect(pointers({ ...ztna, resources: [{ type: 'application', id: TOO_WILD }] })).toEqual([
      '/resources/0/id',
    ]);
    accepts({ ...ztna, resources: [{ type: 'application', id: 'app', fqdn: WILD_ENOUGH }] });
  });
});

describe('expressions with too many comprehensions', () => {
  it('are refused at the expression, spaces or not', () => {
    const zt = {
      id: 'p1',
      name: 'x',
      subjects: ['*'],
      resources: ['r'],
      actions: ['read'],
      effect: 'allow',
      conditions: {
        expression: 'context.a . all(x, true) && context.b . all(y, true) && context.c . all(z, true)',
      },
    };
    expect(pointers(zt)).toEqual(['/conditions/expression']);
  });
});

describe('document bounds', () => {
  it('name every member past a bound, in document order, with escaped pointers under the base', () => {
    const long = 'x'.repeat(4097);
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    const document = {
      'a/b': long,
      list: ['ok', long, Array.from({ length: 101 }, () => 0)],
      'c~d': { wide: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
      deep,
    };
    expect(boundsIssues(document, '/attributes')).toEqual([
      { pointer: '/attributes/a~1b', message: 'is longer than 4096 characters' },
      { pointer: '/attributes/list/1', message: 'is longer than 4096 characters' },
      { pointer: '/attributes/list/2', message: 'has more than 100 items' },
      { pointer: '/attributes/c~0d/wide', message: 'has more than 100 members' },
      { pointer: '/attributes/deep/a/b/c/d/e/f/g/h', message: 'nests deeper than 8 levels' },
    ]);
    expect(boundsIssues({ fine: [1, 'two', { three: null }] })).toEqual([]);
  });
});
