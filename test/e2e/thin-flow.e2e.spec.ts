import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';
import { runThinFlow } from '../support/thin-flow';

describe('standalone product over HTTP', () => {
  let product: StandaloneUnderTest;

  beforeAll(async () => {
    product = await startStandaloneForTest();
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('is alive and ready once database, bus, cache and policy state are up', async () => {
    expect((await call(product.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call<{ status: string; checks: Record<string, { ready: boolean }> }>(
      product.url,
      'GET',
      '/readyz',
    );
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks)).toEqual(
      expect.arrayContaining([
        'bus',
        'cache',
        'database',
        'policy-state',
        'decision-log',
        'risk-model',
        'audit-retention',
      ]),
    );
  });

  it('serves the dev issuer JWKS with one ES256 key', async () => {
    const jwks = await call<{ keys: { alg: string; kty: string; d?: string }[] }>(
      product.url,
      'GET',
      '/.well-known/jwks.json',
    );
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ alg: 'ES256', kty: 'EC' });
    expect(jwks.body.keys[0].d).toBeUndefined();
  });

  it('runs the thin flow: policy stored, enforced through the bus, audited', async () => {
    const { issuer } = product;
    await runThinFlow(
      { policyAdmin: product.url, decision: product.url, audit: product.url },
      {
        admin: await issuer.mint({ sub: 'admin@company.com', roles: ['policy_admin'] }),
        auditor: await issuer.mint({ sub: 'auditor@company.com', roles: ['auditor'] }),
        scientist: await issuer.mint({ sub: 'pep@company.com', roles: ['pep'] }),
      },
    );
  });

  it('answers 401 problem+json without a token or with a bad one', async () => {
    for (const token of [undefined, 'not-a-jwt']) {
      const r = await call(product.url, 'GET', '/v1/zt-policy/policies', { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses an invalid policy with the JSON pointer of each bad field, storing nothing', async () => {
    const admin = await product.issuer.mint({ sub: 'admin@company.com', roles: ['infra_admin'] });
    const before = await call<unknown[]>(product.url, 'GET', '/v1/zt-policy/policies', { token: admin });
    const r = await call<{ errors: { pointer: string }[] }>(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: { name: 'broken', subjects: 'everyone', resources: ['x'], actions: ['read'], effect: 'maybe' },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const pointers = r.body.errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/subjects', '/effect']));
    const after = await call<unknown[]>(product.url, 'GET', '/v1/zt-policy/policies', { token: admin });
    expect(after.body).toHaveLength(before.body.length);
  });

  it('refuses writes without an admin role and deletes without MFA', async () => {
    const engineer = await product.issuer.mint({ sub: 'eve@company.com', roles: ['engineer'] });
    const write = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: engineer,
      body: { name: 'x', subjects: ['*'], resources: ['*'], actions: ['read'], effect: 'allow' },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('ROLE_REQUIRED');

    const noMfa = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'] });
    const del = await call(product.url, 'DELETE', '/v1/zt-policy/policies/pol_884b81', { token: noMfa });
    expect(del.status).toBe(403);
    expect(del.body.code).toBe('MFA_REQUIRED');
  });

  it('refuses a malformed decision request with pointers', async () => {
    const pep = await product.issuer.mint({ sub: 'pep@company.com', roles: ['pep'] });
    const r = await call<{ errors: { pointer: string }[] }>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: { action: 42, resource: { type: 'x' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/action', '/resource/id']));
  });

  it('decides for the token subject when the request leaves it out', async () => {
    const pep = await product.issuer.mint({ sub: 'nobody@company.com', roles: [] });
    const r = await call(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: { action: 'read', resource: { id: 'nothing.here' } },
    });
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe('deny');
  });
});
