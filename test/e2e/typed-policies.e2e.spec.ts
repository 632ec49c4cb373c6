import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const POLICIES = '/v1/zt-policy/policies';
const SCHEMA = '/v1/zt-policy/attribute-schema';

interface Problem {
  code: string;
  errors?: { pointer: string; detail: string }[];
  policies?: { policy_id: string; errors: { pointer: string; detail: string }[] }[];
}

const ATTRIBUTES = {
  version: 1,
  subject: { properties: { department: { type: 'string' }, clearance: { type: 'int' } } },
  resources: { todo: { properties: { ownerID: { type: 'string' } } } },
  context: { properties: { ticket: { type: 'string' } } },
};

function policy(id: string, expression: string): Record<string, unknown> {
  return {
    id,
    name: `typed ${id}`,
    subjects: ['*'],
    resources: ['todo:*'],
    actions: ['read'],
    effect: 'allow',
    conditions: { expression },
  };
}

describe('typed policies (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    product = await startStandaloneForTest();
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    reader = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('refuses an unknown variable without a schema, in :validate and on write', async () => {
    expect((await call(product.url, 'GET', SCHEMA, { token: admin })).status).toBe(404);
    const body = policy('untyped-1', 'resouce.properties.ownerID == subject.id');
    for (const [method, path] of [
      ['POST', `${POLICIES}:validate`],
      ['POST', POLICIES],
    ]) {
      const refused = await call<Problem>(product.url, method, path, { token: admin, body });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { pointer: '/conditions/expression', detail: expect.stringContaining("'resouce' is not a variable") },
      ]);
    }
    // Untyped, a misspelt member is still accepted: only a schema says which members exist.
    const untyped = await call(product.url, 'POST', POLICIES, {
      token: admin,
      body: policy('untyped-2', 'resource.propertes.ownerID == subject.id'),
    });
    expect(untyped.status).toBe(201);
  });

  it('refuses a schema that a stored policy fails, listing the policy', async () => {
    const refused = await call<Problem>(product.url, 'PUT', SCHEMA, { token: admin, body: ATTRIBUTES });
    expect(refused.status).toBe(409);
    expect(refused.body.policies).toEqual([
      {
        policy_id: 'untyped-2',
        errors: [
          { pointer: '/conditions/expression', detail: expect.stringContaining("no member 'propertes'") },
        ],
      },
    ]);
  });

  it('stores a schema, then type-checks writes and :validate against it', async () => {
    // untyped-2 still fails the schema: replace it with a correct version first.
    const fixed = await call(product.url, 'PUT', `${POLICIES}/untyped-2`, {
      token: admin,
      body: policy('untyped-2', 'resource.properties.ownerID == subject.id'),
    });
    expect(fixed.status).toBe(200);
    expect((await call(product.url, 'PUT', SCHEMA, { token: reader, body: ATTRIBUTES })).status).toBe(403);
    const stored = await call(product.url, 'PUT', SCHEMA, {
      token: admin,
      body: ATTRIBUTES,
      headers: { 'if-match': '"0"', 'zt-change-reason': 'type the todo app' },
    });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ version: 1, schema: ATTRIBUTES, actor: 'pat@company.com' });
    expect((await call(product.url, 'GET', SCHEMA, { token: reader })).body).toEqual(stored.body);

    const misspelt = policy('typed-1', 'resource.properties.ownerId == subject.id');
    for (const [method, path] of [
      ['POST', `${POLICIES}:validate`],
      ['POST', POLICIES],
      ['PUT', `${POLICIES}/untyped-2`],
    ]) {
      const body = method === 'PUT' ? { ...misspelt, id: 'untyped-2' } : misspelt;
      const refused = await call<Problem>(product.url, method, path, { token: admin, body });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        {
          pointer: '/conditions/expression',
          detail:
            "at character 20: resource.properties has no member 'ownerId'; the attribute schema declares ownerID",
        },
      ]);
    }
    const wrongType = await call<Problem>(product.url, 'POST', `${POLICIES}:validate`, {
      token: admin,
      body: policy('typed-2', 'subject.properties.clearance == "3"'),
    });
    expect(wrongType.body.errors?.[0].detail).toContain('compares a number with a string');

    const correct = policy(
      'typed-3',
      'resource.properties.ownerID == subject.id && subject.properties.clearance >= 3',
    );
    expect(
      (await call(product.url, 'POST', `${POLICIES}:validate`, { token: admin, body: correct })).status,
    ).toBe(200);
    expect((await call(product.url, 'POST', POLICIES, { token: admin, body: correct })).status).toBe(201);
  });

  it('refuses a rollback to a version the current schema fails, with 409 and the pointers', async () => {
    // untyped-2's version 1 misspelt a member; the schema came after it.
    const refused = await call<Problem>(product.url, 'POST', `${POLICIES}/untyped-2/rollback`, {
      token: admin,
      body: { version: 1 },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([
      { pointer: '/conditions/expression', detail: expect.stringContaining("no member 'propertes'") },
    ]);
    const current = await call(product.url, 'GET', `${POLICIES}/untyped-2`, { token: admin });
    expect(current.headers.get('etag')).toBe('"2"');
  });

  it('refuses an invalid schema with a pointer and a stale If-Match with 412', async () => {
    const invalid = await call<Problem>(product.url, 'PUT', SCHEMA, {
      token: admin,
      body: { version: 1, subject: { properties: { clearance: { type: 'integer' } } } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.[0].pointer).toBe('/subject/properties/clearance/type');
    const stale = await call(product.url, 'PUT', SCHEMA, {
      token: admin,
      body: ATTRIBUTES,
      headers: { 'if-match': '"0"' },
    });
    expect(stale.status).toBe(412);
  });
});
