import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Decision = {
  decision: boolean;
  context: { decision: string; reason_admin: { en: string }; reason_user: { en: string } };
};

describe('OpenID AuthZEN Authorization API (standalone)', () => {
  let product: StandaloneUnderTest;
  let pep: string;
  const subject = { type: 'user', id: 'alice@company.com', properties: { groups: ['engineering'] } };
  const read = { name: 'read' };
  const repo = (id: string) => ({ type: 'repository', id, properties: { ownerID: 'alice@company.com' } });

  beforeAll(async () => {
    product = await startStandaloneForTest();
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        id: 'pol_eng',
        name: 'engineers read gitlab from compliant devices',
        subjects: ['group:engineering'],
        resources: ['gitlab.*'],
        actions: ['read'],
        conditions: { device_posture: 'compliant' },
        effect: 'allow',
      },
    });
    await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        id: 'pol_owner',
        name: 'owners write',
        subjects: ['*'],
        resources: ['gitlab.*'],
        actions: ['write'],
        conditions: { expression: 'resource.properties.ownerID == subject.id' },
        effect: 'require_mfa',
      },
    });
    await eventually(async () => {
      const r = await call<Decision>(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body: {
          subject,
          action: read,
          resource: repo('gitlab.a'),
          context: { device: { posture: 'compliant' } },
        },
      });
      const w = await call<Decision>(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body: { subject, action: { name: 'write' }, resource: repo('gitlab.a'), context: { amr: ['pwd'] } },
      });
      // Both policies have reached the decision service.
      return r.body.decision && w.body.context.decision === 'require_mfa' ? true : undefined;
    });
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('answers a single evaluation with a boolean and reasons for admins and users', async () => {
    const denied = await call<Decision>(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: {
        subject,
        action: read,
        resource: repo('gitlab.a'),
        context: { device: { posture: 'jailbroken' } },
      },
    });
    expect(denied.status).toBe(200);
    expect(denied.body.decision).toBe(false);
    expect(denied.body.context.reason_admin.en).toMatch(/device posture is "jailbroken"; requires compliant/);
    expect(denied.body.context.reason_user.en).toBe('Your device must be compliant.');

    const stepUp = await call<Decision>(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: { subject, action: { name: 'write' }, resource: repo('gitlab.a'), context: { amr: ['pwd'] } },
    });
    expect(stepUp.body).toMatchObject({ decision: false, context: { decision: 'require_mfa' } });
  });

  it('runs batches with top-level defaults and each evaluation semantic', async () => {
    const batch = (semantic?: string) =>
      call<{ evaluations: Decision[] }>(product.url, 'POST', '/access/v1/evaluations', {
        token: pep,
        body: {
          subject,
          action: read,
          context: { device: { posture: 'compliant' } },
          evaluations: [
            { resource: repo('gitlab.a') },
            { resource: repo('other.b') },
            { resource: repo('gitlab.c') },
          ],
          ...(semantic ? { options: { evaluations_semantic: semantic } } : {}),
        },
      });
    expect((await batch()).body.evaluations.map((e) => e.decision)).toEqual([true, false, true]);
    expect((await batch('deny_on_first_deny')).body.evaluations.map((e) => e.decision)).toEqual([
      true,
      false,
    ]);
    expect((await batch('permit_on_first_permit')).body.evaluations.map((e) => e.decision)).toEqual([true]);
  });

  it('refuses malformed requests with pointers; in a batch, a malformed entry fails alone', async () => {
    const r = await call<{ errors: { pointer: string }[] }>(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: { subject: { id: 'x' }, action: {}, resource: repo('a') },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/subject/type', '/action/name']),
    );
    const batch = await call<{ evaluations: Decision[] }>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: {
        action: read,
        context: { device: { posture: 'compliant' } },
        evaluations: [
          { subject, resource: repo('gitlab.a') },
          { subject },
          { subject: 'alice', resource: repo('gitlab.a') },
          7,
          { subject, resource: repo('gitlab.b') },
        ],
      },
    });
    expect(batch.status).toBe(200);
    const failed = (...errors: { pointer: string }[]) => ({
      decision: false,
      context: {
        error: { status: 400, message: expect.any(String), errors: errors.map(expect.objectContaining) },
      },
    });
    expect(batch.body.evaluations).toEqual([
      expect.objectContaining({ decision: true }),
      failed({ pointer: '/evaluations/1/resource' }),
      failed({ pointer: '/evaluations/2/subject' }),
      failed({ pointer: '/evaluations/3' }),
      expect.objectContaining({ decision: true }),
    ]);
    // A failure is a denial: deny_on_first_deny stops there.
    const stopped = await call<{ evaluations: Decision[] }>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: {
        subject,
        action: read,
        context: { device: { posture: 'compliant' } },
        options: { evaluations_semantic: 'deny_on_first_deny' },
        evaluations: [
          { resource: repo('gitlab.a') },
          { resource: { id: 'no-type' } },
          { resource: repo('gitlab.b') },
        ],
      },
    });
    expect(stopped.body.evaluations.map((e) => e.decision)).toEqual([true, false]);
    // What is wrong with the batch as a whole is still a 400: defaults, options, the array.
    for (const body of [
      { subject: 'alice', evaluations: [{ action: read, resource: repo('gitlab.a') }] },
      {
        subject,
        action: read,
        options: { evaluations_semantic: 'some' },
        evaluations: [{ resource: repo('a') }],
      },
      { subject, action: read, evaluations: { resource: repo('a') } },
      { subject, action: read, evaluations: Array.from({ length: 101 }, () => ({ resource: repo('a') })) },
    ]) {
      const whole = await call(product.url, 'POST', '/access/v1/evaluations', { token: pep, body });
      expect(whole.status).toBe(400);
    }
  });

  it('answers an evaluations request without entries as the single evaluation', async () => {
    const body = {
      subject,
      action: read,
      resource: repo('gitlab.a'),
      context: { device: { posture: 'compliant' } },
    };
    for (const request of [body, { ...body, evaluations: [] }]) {
      const r = await call<Decision>(product.url, 'POST', '/access/v1/evaluations', {
        token: pep,
        body: request,
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ decision: true, context: { decision: 'allow' } });
      expect(r.body).not.toHaveProperty('evaluations');
    }
    const incomplete = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'POST',
      '/access/v1/evaluations',
      {
        token: pep,
        body: { subject, action: read, evaluations: [] },
      },
    );
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.errors).toEqual([expect.objectContaining({ pointer: '/resource' })]);
  });

  it('echoes X-Request-ID on every AuthZEN answer, errors included, and bounds it', async () => {
    const body = { subject, action: read, resource: repo('gitlab.a') };
    const id = (r: { headers: Headers }) => r.headers.get('x-request-id');
    const requestId = 'Zm9vYmFy/+=:0a1b2c3d-4e5f';
    const answers = [
      await call(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body,
        headers: { 'x-request-id': requestId },
      }),
      await call(product.url, 'POST', '/access/v1/evaluation', {
        body,
        headers: { 'x-request-id': requestId },
      }),
      await call(product.url, 'POST', '/access/v1/evaluations', {
        token: pep,
        body: { evaluations: 'no' },
        headers: { 'x-request-id': requestId },
      }),
      await call(product.url, 'GET', '/.well-known/authzen-configuration', {
        headers: { 'x-request-id': requestId },
      }),
    ];
    expect(answers.map((r) => [r.status, id(r)])).toEqual([
      [200, requestId],
      [401, requestId],
      [400, requestId],
      [200, requestId],
    ]);
    const malformed = await fetch(`${product.url}/access/v1/evaluation`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${pep}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: '{"subject":',
    });
    expect([malformed.status, id(malformed)]).toEqual([400, requestId]);
    // Too long, or with spaces: not reflected; the answer names the request by its correlation id.
    for (const hostile of ['x'.repeat(129), 'two words', '<script>'.repeat(20)]) {
      const r = await call(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body,
        headers: { 'x-request-id': hostile },
      });
      expect(id(r)).toBe(r.headers.get('x-correlation-id'));
    }
    // Not an AuthZEN path: nothing added.
    const native = await call(product.url, 'GET', '/healthz', { headers: { 'x-request-id': requestId } });
    expect(id(native)).toBeNull();
  });

  it('holds each evaluation, batched or not, to the decision request limits', async () => {
    type Problem = { errors: { pointer: string; detail: string }[] };
    const tooMany = Array.from({ length: 101 }, (_, i) => i);
    const single = await call<Problem>(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: { subject, action: read, resource: repo('gitlab.a'), context: { tags: tooMany } },
    });
    expect(single.status).toBe(400);
    expect(single.body.errors).toEqual([{ pointer: '/context/tags', detail: 'has more than 100 items' }]);
    let nested: unknown = 'leaf';
    for (let i = 0; i < 8; i++) nested = { n: nested };
    const batch = await call<Problem>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: {
        subject,
        action: read,
        context: { tags: tooMany },
        evaluations: [{ resource: repo('gitlab.a') }, { resource: repo('gitlab.b'), context: { nested } }],
      },
    });
    // Defaults every entry inherits are the request's problem: 400, nothing evaluated.
    expect(batch.status).toBe(400);
    expect(batch.body.errors.map((e) => e.pointer)).toEqual(['/context/tags']);
    // One entry over the limits fails alone, with the pointer into the request.
    const entry = await call<{ evaluations: { decision: boolean; context: { error?: Problem } }[] }>(
      product.url,
      'POST',
      '/access/v1/evaluations',
      {
        token: pep,
        body: {
          subject,
          action: read,
          evaluations: [{ resource: repo('gitlab.a') }, { resource: repo('gitlab.b'), context: { nested } }],
        },
      },
    );
    expect(entry.status).toBe(200);
    expect(entry.body.evaluations[1].decision).toBe(false);
    expect(entry.body.evaluations[1].context.error?.errors.map((e) => e.pointer)).toEqual([
      expect.stringMatching(/^\/evaluations\/1\/context\/nested(\/n)+$/),
    ]);
  });

  it('publishes its metadata without a token, and needs one to evaluate', async () => {
    const meta = await call(product.url, 'GET', '/.well-known/authzen-configuration');
    // The search endpoints are advertised too (see authzen-search tests).
    expect(meta.body).toMatchObject({
      policy_decision_point: expect.stringMatching(/^http:\/\//),
      access_evaluation_endpoint: expect.stringMatching(/\/access\/v1\/evaluation$/),
      access_evaluations_endpoint: expect.stringMatching(/\/access\/v1\/evaluations$/),
    });
    const anonymous = await call(product.url, 'POST', '/access/v1/evaluation', {
      body: { subject, action: read, resource: repo('gitlab.a') },
    });
    expect(anonymous.status).toBe(401);
  });
});
