import fc from 'fast-check';
import type {
  CanonicalPolicy,
  Condition,
  DecisionRequest,
  Effect,
  EnforcementMode,
  ResourceMatcher,
  SubjectMatcher,
} from './model';
import { compileGlob, globMatches } from './glob';
import { PolicySet } from './policy-set';

// Small pools, so random policies and requests actually meet.
const IDS = ['alice', 'bob', 'carol'];
const GROUPS = ['eng', 'ops'];
const ACTIONS = ['read', 'write', 'admin'];
// Ids that start with an exact pattern but go on (`k8s.prod` / `k8s.prod.eu`): the index proves
// the prefix, and only the length tells them apart.
// Resource ids and patterns with every separator the index splits on (. / :), prefixes that end
// inside a segment (`gitlab.re*`, `k8s*`), empty segments and `?`, so the index's prefix tree is
// exercised at every kind of node.
const RESOURCES = [
  'gitlab.repo.a',
  'gitlab.repo.b',
  'gitlab.release',
  'k8s.prod',
  'k8s.prod.eu',
  'k8s.prodx',
  'k8s.dev',
  'k8sx',
  'bq.sales',
  'arn:aws:s3:::logs/2026',
  'https://api/v1/pay',
];
const PATTERNS = [
  'gitlab.*',
  'gitlab.repo.a',
  'gitlab.re*',
  'gitlab.repo.?',
  'k8s.*',
  'k8s*',
  'k8s.prod',
  '*',
  'bq.*',
  '*.prod',
  'arn:aws:s3:::*',
  'arn:aws:s3:::logs/*',
  'arn:*:s3:::logs/2026',
  'https://api/*',
  'https://api/v1/pa*',
];

const subject: fc.Arbitrary<SubjectMatcher> = fc.oneof(
  fc.constant<SubjectMatcher>({ kind: 'any' }),
  fc.constantFrom(...IDS).map((value): SubjectMatcher => ({ kind: 'user', value })),
  fc.constantFrom(...GROUPS).map((value): SubjectMatcher => ({ kind: 'group', value })),
  fc.constantFrom(...GROUPS).map((value): SubjectMatcher => ({ kind: 'role', value })),
  fc.constantFrom(...IDS).map((value): SubjectMatcher => ({ kind: 'service', value })),
  fc.constantFrom(...IDS).map((value): SubjectMatcher => ({ kind: 'user', value, identityProvider: 'okta' })),
);

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .constantFrom('compliant', 'unmanaged')
    .map((p): Condition => ({ kind: 'device_posture', postures: [p] })),
  fc.integer({ min: 0, max: 100 }).map((max): Condition => ({ kind: 'risk_max', max })),
  fc.constantFrom('US', 'DE').map((c): Condition => ({ kind: 'location', countries: [c] })),
  fc.constant<Condition>({ kind: 'location', countries: ['DE', 'FR'], set: 'SOME' }),
  fc.boolean().map((required): Condition => ({ kind: 'mfa', required })),
  fc.constant<Condition>({ kind: 'device_posture', postures: ['compliant', 'managed'] }),
  fc.constant<Condition>({ kind: 'authentication_strength', minimum: 'mfa' }),
);

const policy = (id: string): fc.Arbitrary<CanonicalPolicy> =>
  fc
    .record({
      effect: fc.constantFrom<Effect>('allow', 'deny', 'require_mfa', 'isolate'),
      enforcementMode: fc.constantFrom<EnforcementMode>('enforce', 'enforce', 'audit', 'disabled'),
      subjects: fc.array(subject, { minLength: 1, maxLength: 2 }),
      patterns: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }),
      // Typed, per-resource actions or ports: the general (not inlined) target check.
      resourceDetail: fc.constantFrom<Partial<ResourceMatcher>>(
        {},
        {},
        {},
        { type: 'repo' },
        { actions: ['admin'] },
        { ports: [443] },
      ),
      actions: fc.oneof(
        fc.constant(['*']),
        fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 2 }),
      ),
      conditions: fc.array(condition, { maxLength: 2 }),
    })
    .map((p) => ({
      id,
      version: 1,
      name: id,
      effect: p.effect,
      enforcementMode: p.enforcementMode,
      subjects: p.subjects,
      resources: p.patterns.map((pattern) => ({ pattern, ...p.resourceDetail })),
      actions: [...p.actions],
      conditions: p.conditions,
      sourceFormat: 'zt' as const,
    }));

const policies = fc
  .integer({ min: 0, max: 16 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policy(`p${String(i).padStart(2, '0')}`))));

const request: fc.Arbitrary<DecisionRequest> = fc.record({
  subject: fc.record(
    {
      id: fc.constantFrom(...IDS),
      type: fc.constantFrom('user', 'service'),
      groups: fc.subarray(GROUPS),
      roles: fc.subarray(GROUPS),
      attributes: fc.record({ identity_provider: fc.constantFrom('okta', 'entra') }),
    },
    { requiredKeys: ['id'] },
  ),
  action: fc.constantFrom(...ACTIONS, 'delete'),
  resource: fc.record(
    {
      id: fc.constantFrom(...RESOURCES),
      type: fc.constantFrom('repo', 'cluster'),
      attributes: fc.record({ port: fc.constantFrom(443, 22) }),
    },
    { requiredKeys: ['id'] },
  ),
  context: fc.record({
    device: fc.record({ posture: fc.constantFrom('compliant', 'unmanaged') }),
    risk_score: fc.integer({ min: 0, max: 100 }),
    country: fc.constantFrom('US', 'DE', 'FR', 'de'),
    amr: fc.constantFrom(['pwd'], ['pwd', 'mfa']),
  }),
});

function setOf(list: CanonicalPolicy[]): PolicySet {
  const set = new PolicySet();
  list.forEach((p) => set.upsert(p));
  return set;
}

const RUNS = { numRuns: 400 };

const plain = (id: string, pattern: string, actions = ['*']): CanonicalPolicy => ({
  id,
  version: 1,
  name: id,
  effect: 'allow',
  enforcementMode: 'enforce',
  subjects: [{ kind: 'any' }],
  resources: [{ pattern }],
  actions,
  conditions: [],
  sourceFormat: 'zt',
});

describe('index shortcuts', () => {
  it('a policy found under its glob literal prefix matches exactly the ids a full glob check does', () => {
    for (const pattern of [...PATTERNS, 'k8s.prod?', 'k8s.*.eu', '*eu']) {
      const set = setOf([plain('p', pattern)]);
      for (const id of [...RESOURCES, 'k8s.pro', 'k8s.prod?', 'k8s.x.eu']) {
        const req: DecisionRequest = { subject: { id: 'alice' }, action: 'read', resource: { id } };
        expect([pattern, id, set.evaluate(req)]).toEqual([pattern, id, set.evaluateByScan(req)]);
      }
    }
  });

  it('checks actions by name once the set names more actions than it has bits for', () => {
    const names = Array.from({ length: 40 }, (_, i) => `action${i}`);
    const set = setOf(names.map((name, i) => plain(`p${i}`, `svc${i}.*`, [name, 'read'])));
    for (const [i, name] of names.entries()) {
      for (const action of [name, 'read', names[(i + 1) % names.length], 'unknown']) {
        const req: DecisionRequest = { subject: { id: 'alice' }, action, resource: { id: `svc${i}.x` } };
        const expected = action === name || action === 'read' ? 'allow' : 'deny';
        expect([i, action, set.evaluate(req).decision]).toEqual([i, action, expected]);
        expect(set.evaluate(req)).toEqual(set.evaluateByScan(req));
      }
    }
  });
});

describe('policy set properties', () => {
  it('the indexed evaluation always equals a scan of every policy, and never throws', () => {
    fc.assert(
      fc.property(policies, request, (list, req) => {
        const set = setOf(list);
        expect(set.evaluate(req)).toEqual(set.evaluateByScan(req));
      }),
      RUNS,
    );
  });

  it('a matching enforced deny always wins', () => {
    fc.assert(
      fc.property(policies, request, (list, req) => {
        const result = setOf(list).evaluate(req);
        const denyApplies = result.candidates.some(
          (c) => c.applies && c.effect === 'deny' && c.enforcementMode === 'enforce',
        );
        if (denyApplies) expect(result.decision).toBe('deny');
      }),
      RUNS,
    );
  });

  it('removing a policy never turns a deny-by-default into an allow', () => {
    fc.assert(
      fc.property(policies, request, fc.nat(), (list, req, pick) => {
        const set = setOf(list);
        const before = set.evaluate(req);
        fc.pre(before.decision === 'deny' && before.decidingPolicies.length === 0 && list.length > 0);
        set.remove(list[pick % list.length].id);
        expect(set.evaluate(req).decision).not.toBe('allow');
      }),
      RUNS,
    );
  });

  it('gives the same answer whatever the order policies were loaded in', () => {
    fc.assert(
      fc.property(policies, request, (list, req) => {
        expect(setOf([...list].reverse()).evaluate(req)).toEqual(setOf(list).evaluate(req));
      }),
      RUNS,
    );
  });

  it('replacing a policy leaves no trace of its old version in the index', () => {
    fc.assert(
      fc.property(policies, policies, request, (first, second, req) => {
        const set = setOf(first);
        second.forEach((p) => set.upsert(p));
        const expected = setOf([...first.filter((p) => !second.some((q) => q.id === p.id)), ...second]);
        expect(set.evaluate(req)).toEqual(expected.evaluate(req));
      }),
      RUNS,
    );
  });
});

describe('search targets', () => {
  it('every policy a request is decided on is a search target of each query that request answers', () => {
    fc.assert(
      fc.property(policies, request, (list, req) => {
        const set = setOf(list);
        const decided = set.evaluate(req).candidates.filter((c) => c.enforcementMode !== 'disabled');
        const bySubject = set.searchTargets({ open: 'subject', action: req.action, resource: req.resource });
        const byResource = set.searchTargets({
          open: 'resource',
          subject: req.subject,
          action: req.action,
          resourceType: req.resource.type,
        });
        const byAction = set.searchTargets({ open: 'action', subject: req.subject, resource: req.resource });
        for (const c of decided) {
          expect(bySubject.map((t) => t.policy.id)).toContain(c.id);
          const resources = byResource.find((t) => t.policy.id === c.id)?.resources ?? [];
          // The id must fall under one of the resource globs a search then looks up.
          expect(resources.some((r) => globMatches(compileGlob(r.pattern), req.resource.id))).toBe(true);
          const actions = byAction.find((t) => t.policy.id === c.id)?.actions ?? [];
          expect(actions.includes(req.action) || actions.includes('*')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('leaves out disabled policies and policies whose fixed parts cannot match', () => {
    const set = setOf([
      { ...plain('on', 'docs.*', ['read']), subjects: [{ kind: 'role', value: 'editor' }] },
      { ...plain('off', 'docs.*', ['read']), enforcementMode: 'disabled' },
      plain('other', 'code.*', ['read']),
    ]);
    const targets = set.searchTargets({ open: 'subject', action: 'read', resource: { id: 'docs.a' } });
    expect(targets.map((t) => t.policy.id)).toEqual(['on']);
    const both = set.searchTargets({
      open: 'resource',
      subject: { id: 'u', roles: ['editor'] },
      action: 'read',
    });
    expect(both.map((t) => t.policy.id).sort()).toEqual(['on', 'other']);
    expect(
      set.searchTargets({ open: 'resource', subject: { id: 'u' }, action: 'read' }).map((t) => t.policy.id),
    ).toEqual(['other']);
    expect(set.actionNames()).toEqual(['read']);
  });
});
