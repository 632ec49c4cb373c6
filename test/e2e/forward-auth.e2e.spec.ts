import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

/**
 * Forward-auth called directly (the gateways themselves are in test/integration/forward-auth):
 * what a caller outside TRUSTED_PROXIES gets, and that a rate limit is a 403, never a 429 (nginx
 * would make the client's answer a 500).
 */
describe('forward-auth, called directly', () => {
  let product: StandaloneUnderTest;
  let alice: string;

  beforeAll(async () => {
    // Loopback is not trusted here, so these calls come from an untrusted address; one call per
    // second per caller, to see a rate limit.
    product = await startStandaloneForTest({ TRUSTED_PROXIES: '192.0.2.0/24', RATE_LIMIT_PER_SECOND: '1' });
    alice = await product.issuer.mint({ sub: 'alice@company.com', roles: [] });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('answers 403 problem+json to a caller that is not a trusted proxy, whatever it forwards', async () => {
    const r = await call(product.url, 'GET', '/v1/zt-policy/forward-auth', {
      token: alice,
      headers: { 'x-original-method': 'GET', 'x-original-uri': '/', 'x-forwarded-host': 'api.example.com' },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/TRUSTED_PROXIES/);
  });

  it('is documented in the OpenAPI document for GET and POST', async () => {
    const doc = await call<{ paths: Record<string, Record<string, unknown>> }>(
      product.url,
      'GET',
      '/openapi.json',
    );
    expect(Object.keys(doc.body.paths['/v1/zt-policy/forward-auth']).sort()).toEqual(['get', 'post']);
  });
});

describe('forward-auth behind a trusted proxy, rate limited', () => {
  let product: StandaloneUnderTest;

  beforeAll(async () => {
    product = await startStandaloneForTest({ RATE_LIMIT_PER_SECOND: '1' });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('counts the requests it refuses before deciding them, such as an ambiguous path', async () => {
    const count = async (reason: string): Promise<number> => {
      const text = await (await fetch(`${product.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`zt_enforcement_refusals_total{api="forward_auth",reason="${reason}"`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count('ambiguous_path');
    const traversal = await call(product.url, 'GET', '/v1/zt-policy/forward-auth', {
      headers: {
        'x-original-method': 'GET',
        'x-original-uri': '/public/..;/admin',
        'x-forwarded-host': 'api.example.com',
      },
    });
    expect(traversal.status).toBe(403);
    expect(await count('ambiguous_path')).toBe(before + 1);
  });

  it('answers a rate-limited caller 403 RATE_LIMITED with Retry-After, never 429', async () => {
    const bob = await product.issuer.mint({ sub: 'bob@company.com', roles: [] });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const r = await call(product.url, 'GET', '/v1/zt-policy/forward-auth', {
        token: bob,
        headers: {
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': '/x',
          'x-forwarded-host': 'api.example.com',
        },
      });
      statuses.push(r.status);
      if (r.body?.code === 'RATE_LIMITED') limited = r;
    }
    expect(statuses).not.toContain(429);
    expect(limited?.status).toBe(403);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
