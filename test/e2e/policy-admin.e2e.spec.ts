import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, eventually } from '../support/http';
import { SEED_000_ENGINEERING_ADMIN } from '../support/seed-examples';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const POLICIES = '/v1/zt-policy/policies';

/** The seed examples the engine's table tests use, in all three shapes. */
function seedExamples(): Record<string, unknown>[] {
  const dir = join(__dirname, '..', '..', 'libs', 'policy-engine', 'test-cases');
  return ['seed-000.json', 'seed-001.json', 'seed-002.json'].flatMap(
    (f) =>
      (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { policies: Record<string, unknown>[] }).policies,
  );
}

describe('policy administration over HTTP (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let root: string;
  // Asks the decision service about other subjects, as an enforcement point does.
  let gateway: string;

  beforeAll(async () => {
    product = await startStandaloneForTest({ POLICY_RESTORE_WINDOW_SECONDS: '2' });
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], mfa: true });
    gateway = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('stores every seed example in its own shape and gives it back unchanged', async () => {
    for (const example of seedExamples()) {
      const created = await call(product.url, 'POST', POLICIES, { token: admin, body: example });
      expect(created.status).toBe(201);
      const location = created.headers.get('location') ?? '';
      const read = await call(product.url, 'GET', location, { token: admin });
      expect(read.body).toEqual(example);
    }
  });

  it('versions updates, refuses a stale If-Match with 412, and shows what each version changed', async () => {
    const body = { ...SEED_000_ENGINEERING_ADMIN, id: 'pol_versions' };
    const created = await call(product.url, 'POST', POLICIES, { token: admin, body });
    expect(created.headers.get('etag')).toBe('"1"');
    const path = `${POLICIES}/pol_versions`;
    const updated = await call(product.url, 'PUT', path, {
      token: admin,
      body: { ...body, actions: ['read'] },
      headers: { 'if-match': '"1"', 'zt-change-reason': 'least privilege' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(Number(updated.headers.get('zt-policy-revision'))).toBeGreaterThan(
      Number(created.headers.get('zt-policy-revision')),
    );
    const stale = await call(product.url, 'PUT', path, {
      token: admin,
      body: { ...body, effect: 'deny' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'PRECONDITION_FAILED', currentVersion: 2 });

    const history = await call<
      { version: number; change: string; actor: string; reason: string | null; changed: string[] }[]
    >(product.url, 'GET', `${path}/versions`, { token: admin });
    expect(history.body.map((v) => [v.version, v.change, v.reason])).toEqual([
      [1, 'created', null],
      [2, 'updated', 'least privilege'],
    ]);
    expect(history.body[1]).toMatchObject({
      actor: 'pat@company.com',
      changed: ['/actions/1', '/actions/2'],
    });
    expect((await call(product.url, 'GET', `${path}/versions/1`, { token: admin })).body).toEqual(body);
  });

  it('refuses an update whose document names another id', async () => {
    const r = await call(product.url, 'PUT', `${POLICIES}/pol_versions`, {
      token: admin,
      body: { ...SEED_000_ENGINEERING_ADMIN, id: 'pol_other' },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/id' })]);
  });

  it('rolls back by creating a new version equal to the old one', async () => {
    const path = `${POLICIES}/pol_versions`;
    const rolled = await call(product.url, 'POST', `${path}/rollback`, {
      token: admin,
      body: { version: 1 },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get('etag')).toBe('"3"');
    expect(rolled.body).toEqual({ ...SEED_000_ENGINEERING_ADMIN, id: 'pol_versions' });
    const missing = await call(product.url, 'POST', `${path}/rollback`, {
      token: admin,
      body: { version: 99 },
    });
    expect(missing.status).toBe(404);
    const invalid = await call(product.url, 'POST', `${path}/rollback`, {
      token: admin,
      body: { version: 'one' },
    });
    expect(invalid.body.errors).toEqual([expect.objectContaining({ pointer: '/version' })]);
  });

  it('restores a deleted policy within the window, and answers 410 after it', async () => {
    const body = { ...SEED_000_ENGINEERING_ADMIN, id: 'pol_restore' };
    await call(product.url, 'POST', POLICIES, { token: admin, body });
    const path = `${POLICIES}/pol_restore`;
    expect((await call(product.url, 'DELETE', path, { token: root })).status).toBe(204);
    expect((await call(product.url, 'GET', path, { token: admin })).status).toBe(404);
    const restored = await call(product.url, 'POST', `${path}/restore`, { token: root });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual(body);
    expect((await call(product.url, 'GET', path, { token: admin })).status).toBe(200);

    expect((await call(product.url, 'DELETE', path, { token: root })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the window is 2 s in this test
    const late = await call(product.url, 'POST', `${path}/restore`, { token: root });
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('GONE');
  });

  it('needs infra_admin with MFA to restore, like deleting', async () => {
    const r = await call(product.url, 'POST', `${POLICIES}/pol_restore/restore`, { token: admin });
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatch(/infra_admin and multi-factor/);
  });

  it('makes the decision service follow an update', async () => {
    const body = {
      id: 'pol_flip',
      name: 'flip',
      subjects: ['user:flo'],
      resources: ['flip.res'],
      actions: ['read'],
      effect: 'allow',
    };
    await call(product.url, 'POST', POLICIES, { token: admin, body });
    const ask = () =>
      call(product.url, 'POST', '/v1/zt-policy/decisions', {
        token: gateway,
        body: { subject: { id: 'flo' }, action: 'read', resource: { id: 'flip.res' } },
      });
    await eventually(async () => ((await ask()).body.decision === 'allow' ? true : undefined));
    await call(product.url, 'PUT', `${POLICIES}/pol_flip`, {
      token: admin,
      body: { ...body, effect: 'deny' },
    });
    await eventually(async () => ((await ask()).body.decision === 'deny' ? true : undefined));
  });

  it('keeps a principal directory that the decision service uses for group membership', async () => {
    const body = {
      id: 'pol_dir',
      name: 'dir',
      subjects: ['group:data_science'],
      resources: ['bq.*'],
      actions: ['read'],
      effect: 'allow',
    };
    await call(product.url, 'POST', POLICIES, { token: admin, body });
    const ask = async () =>
      (
        await call(product.url, 'POST', '/v1/zt-policy/decisions', {
          token: gateway,
          body: { subject: { id: 'dana@company.com' }, action: 'read', resource: { id: 'bq.sales' } },
        })
      ).body.decision;
    await eventually(async () =>
      (await call(product.url, 'GET', `${POLICIES}/pol_dir`, { token: admin })).status === 200
        ? true
        : undefined,
    );
    expect(await ask()).toBe('deny'); // the request does not say dana is a data scientist

    const put = await call(product.url, 'PUT', '/v1/zt-policy/principals/dana@company.com', {
      token: admin,
      body: { type: 'user', groups: ['data_science'], attributes: { department: 'analytics' } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'dana@company.com', groups: ['data_science'], version: 1 });
    await eventually(
      async () => ((await ask()) === 'allow' ? true : undefined),
      10_000,
      'the directory to reach the decision service',
    );

    expect(
      (await call(product.url, 'DELETE', '/v1/zt-policy/principals/dana@company.com', { token: admin }))
        .status,
    ).toBe(204);
    await eventually(
      async () => ((await ask()) === 'deny' ? true : undefined),
      10_000,
      'the deletion to reach the decision service',
    );
    expect(
      (await call(product.url, 'GET', '/v1/zt-policy/principals/dana@company.com', { token: admin })).status,
    ).toBe(404);
  });

  it('refuses a malformed principal with pointers', async () => {
    const r = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'PUT',
      '/v1/zt-policy/principals/x',
      {
        token: admin,
        body: { type: 'robot', roles: 'admin', extra: 1 },
      },
    );
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/type', '/roles', '/extra']),
    );
    const engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
    const forbidden = await call(product.url, 'PUT', '/v1/zt-policy/principals/eve@company.com', {
      token: engineer,
      body: { roles: ['infra_admin'] },
    });
    expect(forbidden.status).toBe(403);
  });

  it('filters the list by subject, resource, effect and mode, and pages with a Link cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await call(product.url, 'POST', POLICIES, {
        token: admin,
        body: {
          id: `pol_page_${i}`,
          name: `page ${i}`,
          subjects: [i % 2 ? 'group:pagers' : 'group:others'],
          resources: [i % 2 ? 'pager.%_.*' : 'other.res'],
          actions: ['read'],
          effect: i === 3 ? 'deny' : 'allow',
        },
      });
    }
    const bySubject = await call<{ id: string }[]>(product.url, 'GET', `${POLICIES}?subject=group:pagers`, {
      token: admin,
    });
    expect(bySubject.body.map((p) => p.id)).toEqual(['pol_page_1', 'pol_page_3']);
    // Glob semantics, with LIKE's own wildcards in the pattern taken literally.
    const byResource = await call<{ id: string }[]>(
      product.url,
      'GET',
      `${POLICIES}?resource=${encodeURIComponent('pager.%_.x')}`,
      {
        token: admin,
      },
    );
    expect(byResource.body.map((p) => p.id)).toEqual(['pol_page_1', 'pol_page_3']);
    const notLike = await call<unknown[]>(product.url, 'GET', `${POLICIES}?resource=pager.ab.x`, {
      token: admin,
    });
    expect(notLike.body).toEqual([]);
    const denies = await call<{ id: string }[]>(
      product.url,
      'GET',
      `${POLICIES}?effect=deny&subject=group:pagers`,
      { token: admin },
    );
    expect(denies.body.map((p) => p.id)).toEqual(['pol_page_3']);

    const seen: string[] = [];
    let next: string | undefined = `${POLICIES}?limit=2&subject=group:others`;
    while (next) {
      const page: { body: { id: string }[]; headers: Headers } = await call<{ id: string }[]>(
        product.url,
        'GET',
        next,
        { token: admin },
      );
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((p) => p.id));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    expect(seen).toEqual(['pol_page_0', 'pol_page_2', 'pol_page_4']);
    const bad = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'GET',
      `${POLICIES}?limit=0&effect=maybe&cursor=%21`,
      {
        token: admin,
      },
    );
    expect(bad.body.errors.map((e) => e.pointer).sort()).toEqual(['/cursor', '/effect', '/limit']);
  });

  it('validates without storing, and converts between shapes on request', async () => {
    const nist = {
      ...seedExamples().find((p) => p.policyId === 'ztpol-deny-s3'),
      policyId: 'ztpol-never-stored',
    };
    const asApi = await call(product.url, 'POST', '/v1/zt-policy/policies:validate?format=zt', {
      token: admin,
      body: nist,
    });
    expect(asApi.status).toBe(200);
    expect(asApi.body).toMatchObject({
      valid: true,
      format: 'nist',
      policy: { id: 'ztpol-never-stored', subjects: ['group:contractors'], effect: 'deny' },
    });
    const invalid = await call(product.url, 'POST', '/v1/zt-policy/policies:validate', {
      token: admin,
      body: { ...nist, effect: 'maybe' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ pointer: '/effect' })]);
    const inexpressible = await call(product.url, 'POST', '/v1/zt-policy/policies:validate?format=ztna', {
      token: admin,
      body: nist,
    });
    expect(inexpressible.status).toBe(400);
    expect((await call(product.url, 'GET', `${POLICIES}/ztpol-never-stored`, { token: admin })).status).toBe(
      404,
    );
  });

  it('serves a snapshot of every policy and principal at one revision, to PDPs and admins only', async () => {
    const pdp = await product.issuer.mint({ sub: 'decision-1', roles: ['pdp'] });
    const snapshot = await call<{
      revision: number;
      policies: { policyId: string }[];
      principals: unknown[];
    }>(product.url, 'GET', '/v1/zt-policy/policies:snapshot', { token: pdp });
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.revision).toBeGreaterThan(0);
    expect(snapshot.body.policies.map((p) => p.policyId)).toContain('pol_versions');
    const engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
    expect(
      (await call(product.url, 'GET', '/v1/zt-policy/policies:snapshot', { token: engineer })).status,
    ).toBe(403);
  });

  it('serves principal ids of the full 256 characters, non-ASCII ones included', async () => {
    // 256 two-byte characters are 1,536 characters percent-encoded in the path.
    const id = 'é'.repeat(256);
    const path = `/v1/zt-policy/principals/${encodeURIComponent(id)}`;
    const put = await call<{ id: string }>(product.url, 'PUT', path, {
      token: admin,
      body: { groups: ['g'] },
    });
    expect(put.status).toBe(200);
    expect(put.body.id).toBe(id);
    expect((await call(product.url, 'GET', path, { token: admin })).status).toBe(200);
  });
});
