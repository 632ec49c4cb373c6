import { resourceKey } from '@zt/contracts';
import { PolicyState } from '../../apps/decision/src/policy-state/policy-state';
import { call, eventually, JsonResponse } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const RESOURCES = '/v1/zt-policy/resources';
const PRINCIPALS = '/v1/zt-policy/principals';

interface Problem {
  code: string;
  errors?: { pointer: string; detail: string }[];
}

describe('the principal and resource directories over HTTP (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let root: string;
  let engineer: string;

  beforeAll(async () => {
    product = await startStandaloneForTest();
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'] });
    engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
  });

  afterAll(async () => {
    await product?.stop();
  });

  const replica = () => product.process.app.get(PolicyState, { strict: false });

  it('stores, versions and removes a resource, and a decision replica follows', async () => {
    const path = `${RESOURCES}/todo/t-1`;
    const first = await call(product.url, 'PUT', path, {
      token: admin,
      body: { properties: { owner: 'rick@the-citadel.com', department: 'research' } },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      type: 'todo',
      id: 't-1',
      properties: { owner: 'rick@the-citadel.com', department: 'research' },
      version: 1,
      revision: expect.any(Number),
    });
    expect(first.headers.get('zt-policy-revision')).toBe(String(first.body.revision));
    await eventually(
      () => (replica().resources.get(resourceKey('todo', 't-1')) ? true : undefined),
      10_000,
      'the resource to reach the decision replica',
    );

    const second = await call(product.url, 'PUT', path, {
      token: root,
      body: { properties: { owner: 'morty@the-citadel.com' } },
    });
    expect(second.body).toMatchObject({ version: 2, properties: { owner: 'morty@the-citadel.com' } });
    expect(second.body.revision).toBeGreaterThan(first.body.revision as number);
    expect((await call(product.url, 'GET', path, { token: engineer })).body).toEqual(second.body);
    await eventually(
      () =>
        replica().resources.get(resourceKey('todo', 't-1'))?.properties.owner === 'morty@the-citadel.com'
          ? true
          : undefined,
      10_000,
      'the new properties to reach the decision replica',
    );

    const removed = await call(product.url, 'DELETE', path, { token: admin });
    expect(removed.status).toBe(204);
    expect(Number(removed.headers.get('zt-policy-revision'))).toBeGreaterThan(second.body.revision as number);
    expect((await call(product.url, 'GET', path, { token: admin })).status).toBe(404);
    expect((await call(product.url, 'DELETE', path, { token: admin })).status).toBe(404);
    await eventually(
      () => (replica().resources.has(resourceKey('todo', 't-1')) ? undefined : true),
      10_000,
      'the deletion to reach the decision replica',
    );

    // Audited like principal changes: who, what, and the properties written.
    const audit = await eventually(async () => {
      const page = await call<{ items: { type: string; actor: string; payload: Record<string, unknown> }[] }>(
        product.url,
        'GET',
        `/v1/zt-policy/audit/events?subject=${encodeURIComponent('todo/t-1')}`,
        { token: root },
      );
      return page.body.items?.length === 3 ? page.body.items : undefined;
    }, 10_000);
    expect(audit.map((r) => [r.type, r.actor])).toEqual([
      ['com.zt.resource.upserted', 'pat@company.com'],
      ['com.zt.resource.upserted', 'root@company.com'],
      ['com.zt.resource.deleted', 'pat@company.com'],
    ]);
    expect(audit[1].payload).toMatchObject({
      resourceType: 'todo',
      resourceId: 't-1',
      resource: { properties: { owner: 'morty@the-citadel.com' } },
    });
  });

  it('refuses a malformed resource with pointers, and writers without an admin role', async () => {
    const bad = await call<Problem>(product.url, 'PUT', `${RESOURCES}/todo/x`, {
      token: admin,
      body: { properties: [], extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/properties', '/extra']));

    const spaced = await call<Problem>(product.url, 'PUT', `${RESOURCES}/to%20do/x%20y`, {
      token: admin,
      body: { properties: {} },
    });
    expect(spaced.status).toBe(400);
    expect(spaced.body.errors?.map((e) => e.pointer)).toEqual(['/type', '/id']);

    const deep = await call<Problem>(product.url, 'PUT', `${RESOURCES}/todo/deep`, {
      token: admin,
      body: { properties: { a: JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown } },
    });
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0].pointer).toMatch(/^\/properties\/a/);

    const forbidden = await call(product.url, 'PUT', `${RESOURCES}/todo/x`, {
      token: engineer,
      body: { properties: {} },
    });
    expect(forbidden.status).toBe(403);
    expect((await call(product.url, 'DELETE', `${RESOURCES}/todo/x`, { token: engineer })).status).toBe(403);
    expect((await call(product.url, 'GET', `${RESOURCES}/todo/x`, {})).status).toBe(401);
  });

  /** Follows the Link headers from `first` and returns every item of every page. */
  async function allPages<T>(first: string, token: string): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let next: string | undefined = first;
    let pages = 0;
    while (next) {
      const page: JsonResponse<T[]> = await call<T[]>(product.url, 'GET', next, { token });
      expect(page.status).toBe(200);
      items.push(...page.body);
      pages += 1;
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1];
    }
    return { items, pages };
  }

  it('lists principals by type, role, group and attribute, a page at a time', async () => {
    const people = [
      {
        id: 'list-a@company.com',
        type: 'user',
        roles: ['engineer'],
        groups: ['listers'],
        attributes: { level: 3 },
      },
      {
        id: 'list-b@company.com',
        type: 'user',
        roles: ['sre'],
        groups: ['listers'],
        attributes: { level: '3' },
      },
      { id: 'list-c', type: 'service', roles: ['engineer'], groups: ['listers', 'bots'], attributes: {} },
      {
        id: 'list-d@company.com',
        type: 'user',
        roles: ['engineer'],
        groups: ['listers'],
        attributes: { level: 4 },
      },
      { id: 'list-e@company.com', type: 'user', roles: [], groups: ['others'], attributes: { level: 3 } },
    ];
    for (const { id, ...body } of people) {
      expect((await call(product.url, 'PUT', `${PRINCIPALS}/${id}`, { token: admin, body })).status).toBe(
        200,
      );
    }
    const ids = async (query: string) =>
      (await allPages<{ id: string }>(`${PRINCIPALS}?${query}`, engineer)).items.map((p) => p.id);

    expect(await ids('group=listers')).toEqual([
      'list-a@company.com',
      'list-b@company.com',
      'list-c',
      'list-d@company.com',
    ]);
    expect(await ids('group=listers&role=engineer')).toEqual([
      'list-a@company.com',
      'list-c',
      'list-d@company.com',
    ]);
    expect(await ids('group=listers&type=service')).toEqual(['list-c']);
    // Attribute values are compared as text: 3 and "3" both match.
    expect(await ids('group=listers&attribute=level%3A3')).toEqual([
      'list-a@company.com',
      'list-b@company.com',
    ]);
    expect(await ids('attribute=level:3&attribute=level:4')).toEqual([]);

    const paged = await allPages<{ id: string; roles: string[] }>(
      `${PRINCIPALS}?group=listers&limit=1`,
      engineer,
    );
    expect(paged.pages).toBe(4);
    expect(paged.items.map((p) => p.id)).toEqual(await ids('group=listers'));
    expect(paged.items[0]).toEqual({ ...people[0], version: 1, revision: expect.any(Number) });
    expect((await call(product.url, 'GET', PRINCIPALS, {})).status).toBe(401);
  });

  it('lists resources by type and property, a page at a time, across types', async () => {
    const docs = ['d1', 'd2', 'd3', 'd4', 'd5'];
    for (const [i, id] of docs.entries()) {
      const body = { properties: { owner: i % 2 ? 'rick' : 'morty', index: i } };
      expect(
        (await call(product.url, 'PUT', `${RESOURCES}/listed-doc/${id}`, { token: admin, body })).status,
      ).toBe(200);
    }
    await call(product.url, 'PUT', `${RESOURCES}/listed-doc2/a`, {
      token: admin,
      body: { properties: { owner: 'rick' } },
    });
    const keys = async (query: string) =>
      (await allPages<{ type: string; id: string }>(`${RESOURCES}?${query}`, engineer)).items.map(
        (r) => `${r.type}/${r.id}`,
      );

    expect(await keys('type=listed-doc&property=owner:rick')).toEqual(['listed-doc/d2', 'listed-doc/d4']);
    expect(await keys('type=listed-doc&property=index:4')).toEqual(['listed-doc/d5']);
    const paged = await allPages<{ type: string; id: string }>(
      `${RESOURCES}?property=owner:rick&limit=2`,
      engineer,
    );
    expect(paged.items.map((r) => `${r.type}/${r.id}`)).toEqual([
      'listed-doc/d2',
      'listed-doc/d4',
      'listed-doc2/a',
    ]);
    expect(paged.pages).toBe(2);
    const one = await call<unknown[]>(product.url, 'GET', `${RESOURCES}?type=listed-doc&limit=1`, {
      token: engineer,
    });
    expect(one.body).toEqual([
      {
        type: 'listed-doc',
        id: 'd1',
        properties: { owner: 'morty', index: 0 },
        version: 1,
        revision: expect.any(Number),
      },
    ]);
    expect(one.headers.get('link')).toMatch(
      /^<\/v1\/zt-policy\/resources\?type=listed-doc&limit=1&cursor=[A-Za-z0-9_-]+>; rel="next"$/,
    );
  });

  it.each([
    [`${PRINCIPALS}?limit=0`, ['/limit']],
    [`${PRINCIPALS}?limit=501`, ['/limit']],
    [`${PRINCIPALS}?limit=1e2&cursor=%21%21`, ['/limit', '/cursor']],
    [`${PRINCIPALS}?type=robot&roles=admin`, ['/roles', '/type']],
    [`${PRINCIPALS}?role=a&role=b&attribute=nocolon`, ['/role', '/attribute']],
    [`${RESOURCES}?cursor=${Buffer.from('no-slash').toString('base64url')}`, ['/cursor']],
    [`${RESOURCES}?properties=owner:rick`, ['/properties']],
  ])('refuses the bad query %s with pointers', async (path, pointers) => {
    const r = await call<Problem>(product.url, 'GET', path, { token: engineer });
    expect(r.status).toBe(400);
    expect(r.body.errors?.map((e) => e.pointer).sort()).toEqual([...pointers].sort());
  });
});
