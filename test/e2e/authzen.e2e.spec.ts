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

  it('refuses malformed requests with pointers', async () => {
    const r = await call<{ errors: { pointer: string }[] }>(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: { subject: { id: 'x' }, action: {}, resource: repo('a') },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/subject/type', '/action/name']),
    );
    const missing = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'POST',
      '/access/v1/evaluations',
      {
        token: pep,
        body: { evaluations: [{ subject, action: read }] },
      },
    );
    expect(missing.body.errors).toEqual([expect.objectContaining({ pointer: '/evaluations/0/resource' })]);
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
    expect(batch.status).toBe(400);
    expect(batch.body.errors.map((e) => e.pointer)).toEqual([
      '/context/tags',
      expect.stringMatching(/^\/evaluations\/1\/context\/nested(\/n)+$/),
    ]);
  });

  it('publishes its metadata without a token, and needs one to evaluate', async () => {
    const meta = await call(product.url, 'GET', '/.well-known/authzen-configuration');
    expect(meta.body).toEqual({
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
