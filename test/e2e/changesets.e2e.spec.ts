import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const CHANGESETS = '/v1/zt-policy/changesets';
type Result = {
  revision: number;
  changeset_id?: string;
  changes: { kind: string; id: string; type?: string; op: string; result: string; version?: number }[];
};
type Decision = { decision: string; revision: number; decidingPolicies: { id: string }[] };

const policy = (id: string, effect: 'allow' | 'deny', actions = ['read']) => ({
  id,
  name: id,
  subjects: ['*'],
  resources: ['ledger.*'],
  actions,
  effect,
});

describe('atomic change sets (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let root: string;
  let pep: string;

  const revision = async (): Promise<number> => {
    const r = await call<Result>(product.url, 'POST', `${CHANGESETS}:validate`, {
      token: admin,
      body: { changes: [{ op: 'put', kind: 'principal', id: 'probe', principal: {} }] },
    });
    return r.body.revision;
  };

  beforeAll(async () => {
    product = await startStandaloneForTest();
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], mfa: true });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('creates policies, principals and resources at one revision, and decisions see them', async () => {
    const before = await revision();
    const applied = await call<Result>(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: {
        reason: 'PR #12',
        changes: [
          { op: 'put', kind: 'policy', id: 'cs_allow', document: policy('cs_allow', 'allow') },
          {
            op: 'put',
            kind: 'policy',
            id: 'cs_other',
            format: 'zt',
            document: policy('cs_other', 'deny', ['write']),
          },
          {
            op: 'put',
            kind: 'principal',
            id: 'alice',
            principal: { roles: ['analyst'], groups: ['finance'] },
          },
          { op: 'put', kind: 'resource', type: 'todo', id: '1', properties: { owner: 'alice' } },
        ],
      },
    });
    expect(applied.status).toBe(200);
    expect(applied.body.revision).toBe(before + 1);
    expect(applied.headers.get('zt-policy-revision')).toBe(String(before + 1));
    expect(applied.body.changes.map((c) => [c.kind, c.id, c.result, c.version])).toEqual([
      ['policy', 'cs_allow', 'created', 1],
      ['policy', 'cs_other', 'created', 1],
      ['principal', 'alice', 'created', 1],
      ['resource', '1', 'created', 1],
    ]);
    const history = await call<{ revision: number; reason: string }[]>(
      product.url,
      'GET',
      '/v1/zt-policy/policies/cs_other/versions',
      { token: admin },
    );
    expect(history.body).toMatchObject([{ revision: before + 1, reason: 'PR #12' }]);
    const alice = await call(product.url, 'GET', '/v1/zt-policy/principals/alice', { token: admin });
    expect(alice.body).toMatchObject({ roles: ['analyst'], revision: before + 1 });
    const decided = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: {
        subject: { id: 'bob' },
        action: 'read',
        resource: { id: 'ledger.q3' },
        min_revision: before + 1,
      },
    });
    expect(decided.body).toMatchObject({ decision: 'allow', revision: before + 1 });

    // The audit trail records each change of the set as for single writes, with the set's id.
    const auditor = await product.issuer.mint({ sub: 'audrey', roles: ['auditor'] });
    const recorded = await eventually(
      async () => {
        const page = await call<{ items: { type: string; payload: { changeset?: { id: string } } }[] }>(
          product.url,
          'GET',
          '/v1/zt-policy/audit/events?limit=500',
          { token: auditor },
        );
        const items = page.body.items.filter((i) => i.payload.changeset?.id === applied.body.changeset_id);
        return items.length === 4 ? items : undefined;
      },
      10_000,
      'the set in the audit trail',
    );
    expect(recorded.map((r) => r.type).sort()).toEqual([
      'com.zt.policy.created',
      'com.zt.policy.created',
      'com.zt.principal.upserted',
      'com.zt.resource.upserted',
    ]);
  });

  it('swaps an allow for a deny in one revision, updates and deletes, and says unchanged for what it holds', async () => {
    const applied = await call<Result>(product.url, 'POST', CHANGESETS, {
      token: root,
      body: {
        changes: [
          { op: 'delete', kind: 'policy', id: 'cs_allow' },
          { op: 'put', kind: 'policy', id: 'cs_deny', document: policy('cs_deny', 'deny') },
          { op: 'put', kind: 'policy', id: 'cs_other', document: policy('cs_other', 'deny', ['write']) },
          { op: 'put', kind: 'principal', id: 'alice', principal: { roles: ['auditor'] } },
          { op: 'delete', kind: 'resource', type: 'todo', id: '1' },
        ],
      },
    });
    expect(applied.status).toBe(200);
    expect(applied.body.changes.map((c) => [c.id, c.result, c.version])).toEqual([
      ['cs_allow', 'deleted', 2],
      ['cs_deny', 'created', 1],
      ['cs_other', 'unchanged', 1],
      ['alice', 'updated', 2],
      ['1', 'deleted', undefined],
    ]);
    const decided = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: {
        subject: { id: 'bob' },
        action: 'read',
        resource: { id: 'ledger.q3' },
        min_revision: applied.body.revision,
      },
    });
    expect(decided.body).toMatchObject({ decision: 'deny', revision: applied.body.revision });
    expect(decided.body.decidingPolicies.map((p) => p.id)).toEqual(['cs_deny']);

    // The same set again changes nothing: no revision taken, nothing published.
    const again = await call<Result>(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: { changes: [{ op: 'put', kind: 'policy', id: 'cs_deny', document: policy('cs_deny', 'deny') }] },
    });
    expect(again.body).toEqual({
      revision: applied.body.revision,
      changes: [{ kind: 'policy', id: 'cs_deny', op: 'put', result: 'unchanged', version: 1 }],
    });
  });

  it('refuses a set prepared against another revision with 412, writing nothing', async () => {
    const current = await revision();
    const stale = await call(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: {
        expected_revision: current - 1,
        changes: [{ op: 'put', kind: 'policy', id: 'cs_late', document: policy('cs_late', 'allow') }],
      },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      code: 'PRECONDITION_FAILED',
      errors: [{ pointer: '/expected_revision' }],
    });
    expect((await call(product.url, 'GET', '/v1/zt-policy/policies/cs_late', { token: admin })).status).toBe(
      404,
    );
    const fresh = await call<Result>(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: {
        expected_revision: current,
        changes: [{ op: 'put', kind: 'policy', id: 'cs_late', document: policy('cs_late', 'allow') }],
      },
    });
    expect(fresh.body.revision).toBe(current + 1);
  });

  it('refuses an invalid set whole, with a pointer into the set per problem', async () => {
    const current = await revision();
    const refused = await call<{ code: string; errors: { pointer: string }[] }>(
      product.url,
      'POST',
      CHANGESETS,
      {
        token: admin,
        body: {
          changes: [
            { op: 'put', kind: 'principal', id: 'carol', principal: { roles: ['x'] } },
            {
              op: 'put',
              kind: 'policy',
              id: 'cs_bad',
              document: { ...policy('cs_bad', 'allow'), effect: 'maybe' },
            },
            { op: 'put', kind: 'policy', id: 'cs_named', document: policy('cs_other_id', 'allow') },
            { op: 'put', kind: 'principal', id: 'carol', principal: {} },
            { op: 'put', kind: 'resource', type: 'to do', id: '1' },
            { op: 'move', kind: 'policy', id: 'x' },
          ],
        },
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    const pointers = refused.body.errors.map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/changes\/1\/document\/effect/),
        '/changes/2/document/id',
        '/changes/3',
        expect.stringMatching(/^\/changes\/4\//),
        expect.stringMatching(/^\/changes\/5/),
      ]),
    );
    expect(pointers.some((p) => p.startsWith('/changes/0'))).toBe(false);
    expect((await call(product.url, 'GET', '/v1/zt-policy/principals/carol', { token: admin })).status).toBe(
      404,
    );
    expect(await revision()).toBe(current);

    const missing = await call(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: {
        changes: [
          { op: 'put', kind: 'principal', id: 'carol', principal: {} },
          { op: 'delete', kind: 'principal', id: 'nobody' },
        ],
      },
    });
    expect(missing.status).toBe(409);
    expect(missing.body).toMatchObject({ errors: [{ pointer: '/changes/1/id' }] });
    expect((await call(product.url, 'GET', '/v1/zt-policy/principals/carol', { token: admin })).status).toBe(
      404,
    );

    const tooMany = await call(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: {
        changes: Array.from({ length: 1001 }, (_, i) => ({ op: 'delete', kind: 'principal', id: `p${i}` })),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ errors: [{ pointer: '/changes' }] });
  });

  it('asks for what a policy delete asks for alone: infra_admin with MFA', async () => {
    const refused = await call(product.url, 'POST', CHANGESETS, {
      token: admin,
      body: { changes: [{ op: 'delete', kind: 'policy', id: 'cs_late' }] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'ROLE_REQUIRED', errors: [{ pointer: '/changes/0' }] });
  });

  it('validates a set against the stored state without writing it', async () => {
    const current = await revision();
    const checked = await call<Result & { valid: boolean }>(product.url, 'POST', `${CHANGESETS}:validate`, {
      token: admin,
      body: {
        expected_revision: current,
        changes: [
          { op: 'put', kind: 'policy', id: 'cs_late', document: policy('cs_late', 'deny') },
          { op: 'put', kind: 'policy', id: 'cs_new', document: policy('cs_new', 'allow') },
        ],
      },
    });
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({
      valid: true,
      revision: current,
      changes: [
        { id: 'cs_late', result: 'updated', version: 2 },
        { id: 'cs_new', result: 'created', version: 1 },
      ],
    });
    expect((await call(product.url, 'GET', '/v1/zt-policy/policies/cs_new', { token: admin })).status).toBe(
      404,
    );
    expect(await revision()).toBe(current);
  });
});
