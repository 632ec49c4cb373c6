import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Decision = { decision: string; revision: number };

describe('decision API: read-your-writes, cache and rate limits (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;
  let pep: string;
  const request = {
    subject: { id: 'alice@company.com', groups: ['engineering'] },
    action: 'read',
    resource: { id: 'wiki.page' },
  };

  beforeAll(async () => {
    product = await startStandaloneForTest({ RATE_LIMIT_PER_SECOND: '5', MIN_REVISION_WAIT_MS: '200' });
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
  });
  afterAll(() => product?.stop());

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${product.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers at the revision an admin write returned, and 503 with Retry-After for one it has not reached', async () => {
    const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        name: 'wiki',
        subjects: ['group:engineering'],
        resources: ['wiki.*'],
        actions: ['read'],
        effect: 'allow',
      },
    });
    const revision = Number(created.headers.get('zt-policy-revision'));
    const seen = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: { ...request, min_revision: revision },
    });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ decision: 'allow' });
    expect(seen.body.revision).toBeGreaterThanOrEqual(revision);

    const ahead = await call<{ code: string; revision: number }>(
      product.url,
      'POST',
      '/v1/zt-policy/decisions',
      {
        token: pep,
        body: request,
        headers: { 'zt-min-revision': String(revision + 1000) },
      },
    );
    expect(ahead.status).toBe(503);
    expect(ahead.headers.get('retry-after')).toBe('1');
    expect(ahead.body).toMatchObject({ code: 'NOT_READY', revision: seen.body.revision });

    const authzen = await call(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: {
        subject: { type: 'user', id: 'alice@company.com' },
        action: { name: 'read' },
        resource: { type: 'page', id: 'wiki.page' },
      },
      headers: { 'zt-min-revision': 'soon' },
    });
    expect(authzen.status).toBe(400);
    expect(authzen.body).toMatchObject({ errors: [{ pointer: '/headers/zt-min-revision' }] });
  });

  it('serves a repeated request from the cache, and never across a policy change', async () => {
    const hits = await metric('zt_decision_cache_lookups_total{result="local"');
    const counted = (effect: string, cached: boolean) =>
      metric(`zt_decisions_total{decision="${effect}",cached="${cached}"`);
    const before = {
      evaluated: await counted('allow', false),
      cached: await counted('allow', true),
      denied: await counted('deny', false),
    };
    const timed = await metric('zt_decision_duration_seconds_count');
    const caller = await product.issuer.mint({ sub: 'cache-tester', roles: ['pep'] });
    const fresh = { ...request, resource: { id: 'wiki.cached-page' } };
    const first = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: caller,
      body: fresh,
    });
    const second = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: caller,
      body: fresh,
    });
    expect(second.body.decision).toBe(first.body.decision);
    expect(await metric('zt_decision_cache_lookups_total{result="local"')).toBe(hits + 1);
    // The first test's policy allows it: evaluated once, then answered by the cache.
    expect(first.body.decision).toBe('allow');
    expect(await counted('allow', false)).toBe(before.evaluated + 1);
    expect(await counted('allow', true)).toBe(before.cached + 1);
    expect(await counted('deny', false)).toBe(before.denied);
    expect(await metric('zt_decision_duration_seconds_count')).toBe(timed + 2);

    const denied = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: { name: 'no wiki', subjects: ['*'], resources: ['wiki.*'], actions: ['read'], effect: 'deny' },
    });
    const after = await call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: caller,
      body: { ...fresh, min_revision: Number(denied.headers.get('zt-policy-revision')) },
    });
    expect(after.body.decision).toBe('deny');
  });

  it('limits each caller, with 429 problem+json and Retry-After, without touching other callers', async () => {
    const noisy = await product.issuer.mint({ sub: 'noisy-service', roles: ['pep'] });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(product.url, 'POST', '/v1/zt-policy/decisions', { token: noisy, body: request }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    // 30 calls span at most a few one-second windows of 5 calls each.
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(limited[0].headers.get('content-type')).toContain('application/problem+json');
    expect(limited[0].headers.get('retry-after')).toBe('1');
    expect(limited[0].body).toMatchObject({ code: 'RATE_LIMITED' });
    const quiet = await product.issuer.mint({ sub: 'quiet-service', roles: ['pep'] });
    expect(
      (await call(product.url, 'POST', '/v1/zt-policy/decisions', { token: quiet, body: request })).status,
    ).toBe(200);
  });

  it('shows the rollout: each replica, its revision and lag, and how long the last change took', async () => {
    const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        name: 'status probe',
        subjects: ['*'],
        resources: ['status.*'],
        actions: ['read'],
        effect: 'allow',
      },
    });
    const revision = Number(created.headers.get('zt-policy-revision'));
    const status = await eventually(async () => {
      const r = await call<{
        revision: number;
        replicas: { revision: number; lag: number; ready: boolean }[];
        last_change: { revision: number; propagation_ms: number | null; pending: string[] };
      }>(product.url, 'GET', '/v1/zt-policy/status', { token: admin });
      return r.body.last_change?.propagation_ms !== null && r.body.revision >= revision ? r.body : undefined;
    });
    expect(status.replicas).toHaveLength(1);
    expect(status.replicas[0]).toMatchObject({ revision: status.revision, lag: 0, ready: true });
    expect(status.last_change.pending).toEqual([]);
    expect(status.last_change.propagation_ms).toBeGreaterThanOrEqual(0);
    expect((await call(product.url, 'GET', '/v1/zt-policy/status', { token: pep })).status).toBe(403);
  });
});
