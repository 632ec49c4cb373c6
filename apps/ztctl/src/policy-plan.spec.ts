import type { PolicySnapshot } from '@zt/contracts';
import { exportPolicy, parsePolicy } from '@zt/policy-engine';
import { changeSetOf } from './changeset-body';
import { describePlan, fieldDiff, makePlan } from './policy-plan';
import type { PolicyRepository } from './policy-repo';

const document = (location: string) => ({
  id: 'p1',
  name: 'Engineering',
  subjects: ['group:engineering'],
  resources: ['gitlab.*'],
  actions: ['read'],
  conditions: { location },
  effect: 'allow',
});

function repoPolicy(doc: Record<string, unknown>) {
  const parsed = parsePolicy(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return {
    id: parsed.policy.id,
    format: parsed.format,
    policy: parsed.policy,
    stored: exportPolicy(parsed.policy, parsed.format),
    file: 'policies/p1.yaml',
  };
}

const snapshot: PolicySnapshot = {
  revision: 7,
  policies: [{ policyId: 'p1', version: 2, revision: 5, format: 'zt', document: document('US_ONLY') }],
  principals: [
    {
      principalId: 'bob',
      revision: 6,
      principal: { id: 'bob', type: 'user', roles: [], groups: ['eng'], attributes: {} },
    },
  ],
  resources: [],
};

describe('makePlan', () => {
  it('lists the members an update changes, with before and after', () => {
    const repository: PolicyRepository = {
      dir: '.',
      policies: [repoPolicy(document('EU_ONLY'))],
      tests: [],
      issues: [],
    };
    const plan = makePlan(repository, snapshot, 'http://server');
    expect(plan).toMatchObject({ revision: 7, summary: { create: 0, update: 1, delete: 0 } });
    expect(plan.changes[0].diff).toEqual([
      { pointer: '/document/conditions/location', before: 'US_ONLY', after: 'EU_ONLY' },
    ]);
    expect(describePlan(plan)).toMatch(
      /~ policy p1 \(update\)\n {4}\/document\/conditions\/location: "US_ONLY" -> "EU_ONLY"/,
    );
  });

  it('leaves principals alone when the repository has no principals folder, and deletes them when it has an empty one', () => {
    const base: PolicyRepository = {
      dir: '.',
      policies: [repoPolicy(document('US_ONLY'))],
      tests: [],
      issues: [],
    };
    expect(makePlan(base, snapshot, 'http://server').changes).toEqual([]);
    const plan = makePlan({ ...base, principals: [] }, snapshot, 'http://server');
    expect(plan.changes).toMatchObject([{ op: 'delete', kind: 'principal', id: 'bob' }]);
    expect(changeSetOf(plan, 'PR 12')).toEqual({
      expected_revision: 7,
      reason: 'PR 12',
      changes: [{ op: 'delete', kind: 'principal', id: 'bob' }],
    });
  });

  it('turns creates into puts of whole items', () => {
    const plan = makePlan(
      {
        dir: '.',
        policies: [repoPolicy(document('US_ONLY'))],
        resources: [
          { resource: { type: 'todo', id: '1', properties: { owner: 'bob' } }, file: 'resources/todo.yaml' },
        ],
        tests: [],
        issues: [],
      },
      snapshot,
      'http://server',
    );
    expect(changeSetOf(plan).changes).toEqual([
      { op: 'put', kind: 'resource', type: 'todo', id: '1', properties: { owner: 'bob' } },
    ]);
  });
});

describe('fieldDiff', () => {
  it('names added, removed and changed members, arrays element by element', () => {
    expect(fieldDiff({ a: 1, b: [1, 2] }, { a: 2, b: [1], c: true })).toEqual([
      { pointer: '/a', before: 1, after: 2 },
      { pointer: '/b/1', before: 2 },
      { pointer: '/c', after: true },
    ]);
  });
});
