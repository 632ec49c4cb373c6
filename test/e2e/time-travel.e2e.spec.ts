import { call, eventually, JsonResponse } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const V1 = '/v1/zt-policy';
const SNAPSHOT = `${V1}/policies:snapshot`;

interface AsOf {
  revision: number;
  committed_at: string | null;
  at: string;
  device_facts: string;
}
interface Decision {
  decision: string;
  revision: number;
  decidingPolicies: { id: string; version: number }[];
  as_of?: AsOf;
}
interface Snapshot {
  revision: number;
  as_of?: { revision: number; committed_at: string | null };
  policies: { policyId: string; version: number; document: { effect: string } }[];
  principals: { principalId: string; principal: { roles: string[] } }[];
  resources: { resourceType: string; resourceId: string }[];
}
interface SearchPage {
  context: { revision: number; as_of?: AsOf };
  results: { type?: string; id?: string; name?: string }[];
}
interface Problem {
  status: number;
  code: string;
  errors?: { pointer: string; detail: string }[];
}

const POLICY = 'tt_ledger_read';
const policy = (effect: 'allow' | 'deny') => ({
  id: POLICY,
  name: 'Analysts read the ledger',
  subjects: ['role:analyst'],
  resources: ['*'],
  actions: ['read'],
  conditions: { expression: "resource.type == 'ledger'" },
  effect,
});
const ASK = { subject: { id: 'alice' }, action: 'read', resource: { type: 'ledger', id: 'q1' } };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('time travel and access review (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let root: string;
  let auditor: string;
  let pep: string;
  let engineer: string;
  let revision = 0;
  /** The revision and instant of the state under review, before the changes. */
  let before: { revision: number; at: string };

  const write = async (method: string, path: string, body?: unknown, token = admin): Promise<void> => {
    const r = await call(product.url, method, path, { token, body });
    expect([method, path, r.status < 300 ? 'done' : r.body]).toEqual([method, path, 'done']);
    const header = r.headers.get('zt-policy-revision');
    revision = Math.max(
      revision,
      Number(header ?? (r.body as { revision?: number } | undefined)?.revision ?? 0),
    );
  };
  const decide = <T = Decision>(body: unknown, token: string): Promise<JsonResponse<T>> =>
    call<T>(product.url, 'POST', `${V1}/decisions`, {
      token,
      body,
      headers: { 'zt-min-revision': String(revision) },
    });
  const search = <T = SearchPage>(kind: string, body: unknown, token: string): Promise<JsonResponse<T>> =>
    call<T>(product.url, 'POST', `/access/v1/search/${kind}`, {
      token,
      body,
      headers: { 'zt-min-revision': String(revision) },
    });
  const snapshot = <T = Snapshot>(query: string, token = root): Promise<JsonResponse<T>> =>
    call<T>(product.url, 'GET', `${SNAPSHOT}${query}`, { token });

  beforeAll(async () => {
    product = await startStandaloneForTest();
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], mfa: true });
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });

    // The state under review: alice and bob are analysts, two ledger entries, analysts may read.
    // Single writes and a change set: every write path keeps history.
    await write('PUT', `${V1}/principals/alice`, { roles: ['analyst'] });
    await write('PUT', `${V1}/resources/ledger/q1`, { properties: { quarter: 1 } });
    await write('POST', `${V1}/changesets`, {
      changes: [
        { op: 'put', kind: 'principal', id: 'bob', principal: { roles: ['analyst'] } },
        { op: 'put', kind: 'resource', type: 'ledger', id: 'q2', properties: { quarter: 2 } },
      ],
    });
    await write('POST', `${V1}/policies`, policy('allow'));
    // The revision's commit time is taken inside its transaction: the instant under review is
    // clearly after it, and clearly before the next change.
    await pause(50);
    before = { revision, at: new Date().toISOString() };
    await pause(50);

    // Then: the policy turns to deny, alice loses the role, bob leaves, q2 goes, carol joins.
    await write('PUT', `${V1}/policies/${POLICY}`, policy('deny'));
    await write('PUT', `${V1}/principals/alice`, { roles: [] });
    await write('DELETE', `${V1}/principals/bob`, undefined, root);
    await write('POST', `${V1}/changesets`, {
      changes: [
        { op: 'delete', kind: 'resource', type: 'ledger', id: 'q2' },
        { op: 'put', kind: 'principal', id: 'carol', principal: { roles: ['analyst'] } },
      ],
    });
    await eventually(async () => ((await decide(ASK, pep)).body.revision >= revision ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    await product?.stop();
  });

  it('decides as of a past instant on the policies and directory of then, and says which revision', async () => {
    const past = await decide({ ...ASK, at: before.at }, auditor);
    expect(past.status).toBe(200);
    expect(past.body.decision).toBe('allow');
    expect(past.body.revision).toBe(before.revision);
    expect(past.body.decidingPolicies).toEqual([{ id: POLICY, version: 1 }]);
    expect(past.body.as_of).toMatchObject({
      revision: before.revision,
      at: before.at,
      device_facts: 'request_only',
    });
    expect(Date.parse(past.body.as_of?.committed_at ?? '')).toBeLessThanOrEqual(Date.parse(before.at));

    const now = await decide(ASK, pep);
    expect(now.status).toBe(200);
    expect(now.body.decision).toBe('deny');
    expect(now.body.revision).toBe(revision);
    expect(now.body.as_of).toBeUndefined();

    // infra_admin may ask too; a later instant answers from the latest revision.
    const later = await decide({ ...ASK, at: new Date().toISOString() }, root);
    expect(later.body).toMatchObject({ decision: 'deny', revision });
  });

  it('shows the whole state of then in snapshot?at= and ?revision=', async () => {
    for (const query of [`?at=${encodeURIComponent(before.at)}`, `?revision=${before.revision}`]) {
      const past = await snapshot(query);
      expect([query, past.status]).toEqual([query, 200]);
      expect(past.body.revision).toBe(before.revision);
      expect(past.body.as_of?.revision).toBe(before.revision);
      expect(past.body.policies.find((p) => p.policyId === POLICY)).toMatchObject({
        version: 1,
        document: { effect: 'allow' },
      });
      const roles = Object.fromEntries(past.body.principals.map((p) => [p.principalId, p.principal.roles]));
      expect(roles).toMatchObject({ alice: ['analyst'], bob: ['analyst'] });
      expect(roles.carol).toBeUndefined();
      expect(past.body.resources.map((r) => `${r.resourceType}/${r.resourceId}`)).toEqual([
        'ledger/q1',
        'ledger/q2',
      ]);
    }
    const now = await snapshot('');
    expect(now.body.as_of).toBeUndefined();
    expect(now.body.principals.map((p) => [p.principalId, p.principal.roles])).toEqual([
      ['alice', []],
      ['carol', ['analyst']],
    ]);
    expect(now.body.policies.find((p) => p.policyId === POLICY)?.document.effect).toBe('deny');
    expect(now.body.resources.map((r) => r.resourceId)).toEqual(['q1']);
  });

  it('answers who could do X on R, and what S could reach, as of then (AuthZEN search with at)', async () => {
    const who = await search(
      'subject',
      {
        subject: { type: 'user' },
        action: { name: 'read' },
        resource: { type: 'ledger', id: 'q1' },
        at: before.at,
      },
      auditor,
    );
    expect(who.status).toBe(200);
    expect(who.body.results).toEqual([
      { type: 'user', id: 'alice' },
      { type: 'user', id: 'bob' },
    ]);
    expect(who.body.context).toMatchObject({
      revision: before.revision,
      as_of: { revision: before.revision },
    });
    const whoNow = await search(
      'subject',
      { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'ledger', id: 'q1' } },
      pep,
    );
    expect(whoNow.body.results).toEqual([]);

    const reach = await search(
      'resource',
      {
        subject: { type: 'user', id: 'alice' },
        action: { name: 'read' },
        resource: { type: 'ledger' },
        at: before.at,
      },
      auditor,
    );
    expect(reach.status).toBe(200);
    expect(reach.body.results).toEqual([
      { type: 'ledger', id: 'q1' },
      { type: 'ledger', id: 'q2' },
    ]);
    const actions = await search(
      'action',
      { subject: { type: 'user', id: 'bob' }, resource: { type: 'ledger', id: 'q2' }, at: before.at },
      auditor,
    );
    expect(actions.body.results).toEqual([{ name: 'read' }]);
  });

  it('refuses at to callers that are neither auditor nor infra_admin, with 403 problem+json', async () => {
    for (const token of [pep, engineer, admin]) {
      const refused = await decide<Problem>({ ...ASK, at: before.at }, token);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.code).toBe('ROLE_REQUIRED');
      expect(refused.body.errors?.[0].pointer).toBe('/at');
      const searched = await search<Problem>(
        'resource',
        {
          subject: { type: 'user', id: 'alice' },
          action: { name: 'read' },
          resource: { type: 'ledger' },
          at: before.at,
        },
        token,
      );
      expect(searched.status).toBe(403);
    }
  });

  it('answers 422 HISTORY_NOT_AVAILABLE for an instant before the history, never another state', async () => {
    const early = '2000-01-01T00:00:00Z';
    const decided = await decide<Problem>({ ...ASK, at: early }, auditor);
    expect(decided.status).toBe(422);
    expect(decided.headers.get('content-type')).toContain('application/problem+json');
    expect(decided.body.code).toBe('HISTORY_NOT_AVAILABLE');
    const snap = await snapshot<Problem>(`?at=${early}`);
    expect(snap.status).toBe(422);
    expect(snap.headers.get('content-type')).toContain('application/problem+json');
    expect(snap.body.code).toBe('HISTORY_NOT_AVAILABLE');
    const searched = await search<Problem>(
      'subject',
      {
        subject: { type: 'user' },
        action: { name: 'read' },
        resource: { type: 'ledger', id: 'q1' },
        at: early,
      },
      auditor,
    );
    expect(searched.status).toBe(422);
    expect((await snapshot<Problem>(`?revision=${revision + 100}`)).status).toBe(404);
  });

  it('refuses a malformed at or revision with 400 and the field pointer', async () => {
    const decided = await decide<Problem>({ ...ASK, at: 'yesterday' }, auditor);
    expect(decided.status).toBe(400);
    expect(decided.body.errors?.map((e) => e.pointer)).toEqual(['/at']);
    const noSubject = await decide<Problem>(
      { action: 'read', resource: { id: 'q1' }, at: before.at },
      auditor,
    );
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.errors?.map((e) => e.pointer)).toEqual(['/subject']);
    const notText = await decide<Problem>({ ...ASK, at: 20250301 }, auditor);
    expect(notText.status).toBe(400);
    expect(notText.body.errors?.map((e) => e.pointer)).toEqual(['/at']);
    for (const [query, pointer] of [
      ['?at=yesterday', '/at'],
      ['?at=2025-03-01', '/at'],
      ['?revision=-1', '/revision'],
      ['?revision=abc', '/revision'],
      [`?revision=1&at=${encodeURIComponent(before.at)}`, '/at'],
    ]) {
      const refused = await snapshot<Problem>(query);
      expect([query, refused.status, refused.body.errors?.[0].pointer]).toEqual([query, 400, pointer]);
    }
  });
});
