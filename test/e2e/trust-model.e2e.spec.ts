import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceError } from '@grpc/grpc-js';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { grpcClients } from '../support/grpc-clients';
import { call, eventually, JsonResponse } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Decision = { decision: string; reasons: string[] };
type AuthzenDecision = { decision: boolean; context: { decision: string } };
type Problem = { status: number; code: string; requiredRoles?: string[] };

const HEALTHY = { managed: true, disk_encrypted: true, edr_running: true, jailbroken: false };
const UNMANAGED = { managed: false, disk_encrypted: false, edr_running: false, jailbroken: false };
// Four minutes ahead: inside the clock skew the old rule accepted as "fresher than the stored facts".
const aheadOfNow = () => new Date(Date.now() + 4 * 60_000).toISOString();

/** A risk model that scores devices named `risky-*` 0.9 and every other device 0.1. */
function fakeModel(request: IncomingMessage, response: ServerResponse): void {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const deviceId = String((JSON.parse(body) as { device_id?: unknown }).device_id);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ score: deviceId.startsWith('risky-') ? 0.9 : 0.1, model: 'fake' }));
  });
}

describe('trust model: who may assert which facts in a decision request (standalone)', () => {
  let product: StandaloneUnderTest;
  let model: Server;
  let admin: string;
  let pep: string;
  let mallory: string;
  let bob: string;

  const native = (token: string, body: unknown) =>
    call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', { token, body });
  const evaluation = (token: string, body: unknown) =>
    call<AuthzenDecision>(product.url, 'POST', '/access/v1/evaluation', { token, body });
  const alice = { id: 'alice@company.com', groups: ['engineering'] };
  const gitlab = (device: Record<string, unknown>) => ({
    subject: alice,
    action: 'read',
    resource: { id: 'gitlab.repo' },
    context: { device },
  });
  const edit = (subject: unknown, owner: string) => ({
    subject,
    action: 'edit',
    resource: { id: 'docs.plan', attributes: { owner } },
  });
  const expectRoleRequired = (r: JsonResponse<unknown>) => {
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ code: 'ROLE_REQUIRED', requiredRoles: ['pep'] });
  };

  beforeAll(async () => {
    model = createServer(fakeModel);
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    product = await startStandaloneForTest({
      MODEL_ALLOWED_HOSTS: '127.0.0.1',
      MODEL_SCORE_CACHE_SECONDS: '0',
    });
    admin = await product.issuer.mint({ sub: 'ines@company.com', roles: ['infra_admin', 'policy_admin'] });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    mallory = await product.issuer.mint({ sub: 'mallory@company.com', roles: [] });
    bob = await product.issuer.mint({ sub: 'bob@company.com', roles: [] });
    const agent = await product.issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] });
    const policies = [
      {
        id: 'pol_gitlab',
        subjects: ['group:engineering'],
        resources: ['gitlab.*'],
        actions: ['read'],
        conditions: { device_posture: 'compliant' },
        effect: 'allow',
      },
      {
        id: 'pol_console',
        subjects: ['*'],
        resources: ['console.*'],
        actions: ['open'],
        effect: 'require_mfa',
      },
      {
        id: 'pol_owner',
        subjects: ['*'],
        resources: ['docs.*'],
        actions: ['edit'],
        conditions: { expression: 'resource.properties.owner == subject.properties.email' },
        effect: 'allow',
      },
    ];
    for (const p of policies) {
      const r = await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: p.id, ...p },
      });
      expect(r.status).toBe(201);
    }
    const principal = await call(product.url, 'PUT', '/v1/zt-policy/principals/bob@company.com', {
      token: admin,
      body: { type: 'user', attributes: { email: 'bob@company.com' } },
    });
    expect(principal.status).toBe(200);
    const { port } = model.address() as AddressInfo;
    const integrated = await call(product.url, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
      token: admin,
      body: { model_url: `http://127.0.0.1:${port}/score`, threshold: 0.5 },
    });
    expect(integrated.status).toBe(200);
    const reported = await call(product.url, 'POST', '/v1/zt-policy/device-intelligence/posture', {
      token: agent,
      body: [
        { device_id: 'risky-1', signals: HEALTHY },
        { device_id: 'healthy-1', signals: HEALTHY },
        { device_id: 'unmanaged-1', signals: UNMANAGED },
      ],
    });
    expect(reported.status).toBe(202);
    // Everything above has reached the decision service: the verdicts, the postures, the directory.
    await eventually(async () => {
      const risky = await native(pep, gitlab({ id: 'risky-1' }));
      const healthy = await native(pep, gitlab({ id: 'healthy-1' }));
      const unmanaged = await native(pep, gitlab({ id: 'unmanaged-1', posture: 'compliant' }));
      const owner = await native(pep, edit({ id: 'bob@company.com' }, 'bob@company.com'));
      const settled =
        risky.body.reasons.some((r) => r.includes('risky-1 risk 0.9 above 0.5')) &&
        healthy.body.decision === 'allow' &&
        unmanaged.body.reasons.some((r) => r.includes('device posture is')) &&
        owner.body.decision === 'allow';
      return settled ? true : undefined;
    }, 30_000);
  });

  afterAll(async () => {
    await product?.stop();
    await new Promise((resolve) => model?.close(resolve));
  });

  it('keeps a device that device intelligence restricts restricted, whatever fresher facts a request claims', async () => {
    const claimed = await native(
      pep,
      gitlab({ id: 'risky-1', posture: 'compliant', observed_at: aheadOfNow() }),
    );
    expect(claimed.body.decision).toBe('deny');
    expect(claimed.body.reasons[0]).toMatch(/risky-1 risk 0.9 above 0.5/);
    const lowRisk = await native(pep, {
      ...gitlab({ id: 'risky-1', posture: 'compliant', observed_at: aheadOfNow() }),
      context: { device: { id: 'risky-1', observed_at: aheadOfNow() }, risk_score: 1 },
    });
    expect(lowRisk.body.decision).toBe('deny');
  });

  it('never lets a request replace a stored posture with a better one', async () => {
    const word = await native(
      pep,
      gitlab({ id: 'unmanaged-1', posture: 'compliant', observed_at: aheadOfNow() }),
    );
    expect(word.body.decision).toBe('deny');
    const flags = await native(
      pep,
      gitlab({ id: 'unmanaged-1', posture: { compliant: true, managed: true }, observed_at: aheadOfNow() }),
    );
    expect(flags.body.decision).toBe('deny');
  });

  it('lets a request fact make a decision stricter: a worse posture than the stored one denies', async () => {
    expect((await native(pep, gitlab({ id: 'healthy-1' }))).body.decision).toBe('allow');
    const worse = await native(pep, gitlab({ id: 'healthy-1', posture: { compliant: false } }));
    expect(worse.body.decision).toBe('deny');
  });

  it('takes the authentication methods of a caller asking about itself from its token, not the context', async () => {
    const console = { action: 'open', resource: { id: 'console.prod' } };
    for (const context of [{ amr: ['mfa'] }, { mfa: true }, { authentication_strength: 'mfa' }]) {
      const claimed = await native(mallory, { ...console, context });
      expect(claimed.body.decision).toBe('require_mfa');
    }
    const self = await evaluation(mallory, {
      subject: { type: 'user', id: 'mallory@company.com' },
      action: { name: 'open' },
      resource: { type: 'app', id: 'console.prod' },
      context: { amr: ['mfa'] },
    });
    expect(self.body.context.decision).toBe('require_mfa');
    const withMfa = await product.issuer.mint({ sub: 'mallory@company.com', roles: [], mfa: true });
    expect((await native(withMfa, console)).body.decision).toBe('allow');
  });

  it('keeps the attributes the directory holds: a request cannot override them', async () => {
    const asPep = await native(
      pep,
      edit({ id: 'bob@company.com', attributes: { email: 'alice@company.com' } }, 'alice@company.com'),
    );
    expect(asPep.body.decision).toBe('deny');
    const authzen = await evaluation(pep, {
      subject: { type: 'user', id: 'bob@company.com', properties: { email: 'alice@company.com' } },
      action: { name: 'edit' },
      resource: { type: 'doc', id: 'docs.plan', properties: { owner: 'alice@company.com' } },
    });
    expect(authzen.body.decision).toBe(false);
    const itself = await native(bob, {
      ...edit({ id: 'bob@company.com', attributes: { email: 'alice@company.com' } }, 'alice@company.com'),
    });
    expect(itself.body.decision).toBe('deny');
  });

  it('refuses a caller without the pep role asking about another subject, on every API', async () => {
    expectRoleRequired(await native(mallory, edit({ id: 'bob@company.com' }, 'bob@company.com')));
    expectRoleRequired(
      await evaluation(mallory, {
        subject: { type: 'user', id: 'bob@company.com' },
        action: { name: 'edit' },
        resource: { type: 'doc', id: 'docs.plan', properties: { owner: 'bob@company.com' } },
      }),
    );
    const batch = await call<Problem>(product.url, 'POST', '/access/v1/evaluations', {
      token: mallory,
      body: {
        action: { name: 'open' },
        resource: { type: 'app', id: 'console.prod' },
        evaluations: [
          { subject: { type: 'user', id: 'mallory@company.com' } },
          { subject: { type: 'user', id: 'bob@company.com' } },
        ],
      },
    });
    expectRoleRequired(batch);
    // An administrator's role is for managing policies, not for speaking for other subjects.
    expectRoleRequired(await native(admin, edit({ id: 'bob@company.com' }, 'bob@company.com')));
  });

  it('applies the same rule over gRPC Decide: PERMISSION_DENIED without the pep role', async () => {
    const clients = grpcClients(`127.0.0.1:${product.process.app.get(DecisionGrpcServer).port}`);
    try {
      const request = {
        subject: { id: 'bob@company.com' },
        action: 'open',
        resource: { id: 'console.prod' },
      };
      const refused = await clients.decide(request, { authorization: `Bearer ${mallory}` }).then(
        () => undefined,
        (error: ServiceError) => error,
      );
      expect(refused?.code).toBe(7);
      expect(refused?.details).toMatch(/requires the role pep/i);
      const answered = await clients.decide(request, { authorization: `Bearer ${pep}` });
      expect(answered.decision).toBe('require_mfa');
    } finally {
      clients.close();
    }
  });

  it('lets a pep caller ask about another subject and assert its session facts', async () => {
    const console = { subject: alice, action: 'open', resource: { id: 'console.prod' } };
    expect((await native(pep, console)).body.decision).toBe('require_mfa');
    expect((await native(pep, { ...console, context: { amr: ['pwd', 'otp'] } })).body.decision).toBe('allow');
    const added = await native(
      pep,
      edit({ id: 'carol@company.com', attributes: { email: 'carol@company.com' } }, 'carol@company.com'),
    );
    expect(added.body.decision).toBe('allow');
  });
});
