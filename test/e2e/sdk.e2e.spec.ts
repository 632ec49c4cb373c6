import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import Fastify, { type FastifyInstance } from 'fastify';
import { EnforcementPoint, type Written, ZtClient, ZtProblemError } from '../../packages/sdk/src/index';
import { grpcDecisions } from '../../packages/sdk/src/grpc-transport';
import { authorizeHook, type FastifyLikeRequest } from '../../packages/sdk/src/pep/fastify';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

// @zt-policy/sdk against the standalone product: typed calls of each API family, decisions over
// HTTP and gRPC, and an application guarded by the enforcement point (allow, deny, require_mfa,
// read-your-writes, fail closed once the product is down).
describe('@zt-policy/sdk against the product', () => {
  let product: StandaloneUnderTest;
  let admin: ZtClient;
  let app: FastifyInstance;
  let appUrl: string;
  let pep: EnforcementPoint;
  let userToken: string;
  let mfaToken: string;
  let stopped = false;

  type TodoRequest = FastifyLikeRequest & { params: { id: string } };
  const todo = (req: TodoRequest) => ({ type: 'todo', id: `todo.${req.params.id}` });

  beforeAll(async () => {
    product = await startStandaloneForTest();
    const adminToken = await product.issuer.mint({
      sub: 'admin@company.com',
      roles: ['infra_admin', 'policy_admin', 'auditor', 'pep'],
      mfa: true,
    });
    admin = new ZtClient({ baseUrl: product.url, token: adminToken, timeoutMs: 5000 });
    userToken = await product.issuer.mint({ sub: 'uma@company.com', roles: ['engineer'] });
    mfaToken = await product.issuer.mint({ sub: 'uma@company.com', roles: ['engineer'], mfa: true });

    const policies = [
      { name: 'read todos', subjects: ['*'], resources: ['todo.*'], actions: ['read'], effect: 'allow' },
      { name: 'secret todo', subjects: ['*'], resources: ['todo.secret'], actions: ['read'], effect: 'deny' },
      {
        name: 'delete with mfa',
        subjects: ['*'],
        resources: ['todo.*'],
        actions: ['delete'],
        effect: 'require_mfa',
      },
    ] as const;
    for (const policy of policies)
      await admin.policies.create({
        ...policy,
        actions: [...policy.actions],
        subjects: [...policy.subjects],
        resources: [...policy.resources],
      });

    pep = new EnforcementPoint({ client: admin, timeoutMs: 1000 });
    app = Fastify();
    const reply = (req: FastifyLikeRequest) => ({ zt: req.zt });
    app.get<{ Params: { id: string } }>(
      '/todos/:id',
      { preHandler: authorizeHook(pep, { action: 'read', resource: todo }) },
      reply,
    );
    app.delete<{ Params: { id: string } }>(
      '/todos/:id',
      { preHandler: authorizeHook(pep, { action: 'delete', resource: todo }) },
      reply,
    );
    app.get<{ Params: { id: string } }>(
      '/open/:id',
      { preHandler: authorizeHook(pep, { action: 'read', resource: todo, failOpen: true }) },
      reply,
    );
    appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await admin?.close();
    if (!stopped) await product?.stop();
  });

  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${appUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  describe('typed calls', () => {
    it('decides over HTTP with the explanation, and over gRPC with the same answer', async () => {
      const request = { subject: { id: 'uma@company.com' }, action: 'read', resource: { id: 'todo.1' } };
      const overHttp = await admin.decide(request);
      expect(overHttp).toMatchObject({ decision: 'allow', decision_id: expect.any(String) });
      expect(overHttp.candidates?.length).toBeGreaterThan(0);
      const port = product.process.app.get(DecisionGrpcServer).port;
      const grpcClient = new ZtClient({
        baseUrl: product.url,
        token: () => admin.bearerToken().then((t) => t ?? ''),
        decisions: grpcDecisions({ address: `127.0.0.1:${port}` }),
      });
      try {
        const overGrpc = await grpcClient.decide({
          ...request,
          context: { device: { posture: 'compliant' } },
        });
        expect(overGrpc).toMatchObject({ decision: 'allow', revision: overHttp.revision });
        const denied = await grpcClient.decide({ ...request, resource: { id: 'todo.secret' } });
        expect(denied.decision).toBe('deny');
      } finally {
        await grpcClient.close();
      }
    });

    it('evaluates with AuthZEN, one and in batch, and searches', async () => {
      const subject = { type: 'user', id: 'uma@company.com' };
      const one = await admin.evaluation({
        subject,
        action: { name: 'read' },
        resource: { type: 'todo', id: 'todo.1' },
      });
      expect(one.decision).toBe(true);
      const batch = await admin.evaluations({
        subject,
        action: { name: 'read' },
        evaluations: [
          { resource: { type: 'todo', id: 'todo.1' } },
          { resource: { type: 'todo', id: 'todo.secret' } },
        ],
      });
      expect(
        'evaluations' in batch ? batch.evaluations.map((e) => ('decision' in e ? e.decision : e)) : batch,
      ).toEqual([true, false]);
      const actions = await admin.search.action({ subject, resource: { type: 'todo', id: 'todo.1' } });
      expect(actions.results.map((a) => a.name)).toContain('read');
    });

    it('administers policies, principals and resources, and reads the writes back', async () => {
      const created = await admin.policies.create(
        { name: 'temp', subjects: ['*'], resources: ['tmp.*'], actions: ['read'], effect: 'allow' },
        { reason: 'sdk e2e' },
      );
      expect(created.revision).toBeGreaterThan(0);
      const id = (created.data as { id: string }).id;
      expect((await admin.policies.get(id)).name).toBe('temp');
      expect((await admin.policies.list()).length).toBeGreaterThanOrEqual(4);
      const removed: Written<undefined> = await admin.policies.delete(id);
      expect(removed.revision).toBeGreaterThan(created.revision ?? 0);

      const principal = await admin.principals.put('pat@company.com', {
        roles: ['engineer'],
        groups: ['ops'],
      });
      expect(principal.data).toMatchObject({ id: 'pat@company.com', groups: ['ops'] });
      expect((await admin.principals.list({ group: 'ops' })).map((p) => p.id)).toEqual(['pat@company.com']);
      await admin.resources.put('todo', 'todo.9', { properties: { owner: 'pat@company.com' } });
      expect((await admin.resources.get('todo', 'todo.9')).properties).toEqual({ owner: 'pat@company.com' });
      await admin.resources.delete('todo', 'todo.9');
      await admin.principals.delete('pat@company.com');
      expect(admin.lastRevision).toBeGreaterThanOrEqual(removed.revision ?? 0);
    });

    it('reports a refused call as ZtProblemError with the field pointer', async () => {
      const error = await admin.principals
        .put('x@company.com', { roles: 'admin' as unknown as string[] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZtProblemError);
      expect((error as ZtProblemError).status).toBe(400);
      expect((error as ZtProblemError).problem.errors?.[0].pointer).toBe('/roles');
    });

    it('validates a change set, exports the audit log and verifies it', async () => {
      const validated = await admin.changesets.validate({
        changes: [{ op: 'put', kind: 'principal', id: 'cs@company.com', principal: { roles: ['engineer'] } }],
      });
      expect(validated).toBeDefined();
      const records = await admin.audit.export();
      expect(records.length).toBeGreaterThan(0);
      expect((await admin.audit.verify()).valid).toBe(true);
    });
  });

  describe('the enforcement point', () => {
    it('lets an allowed request through with the decision for the application', async () => {
      const res = await get('/todos/1', userToken, {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      expect(res.status).toBe(200);
      const { zt } = (await res.json()) as { zt: Record<string, unknown> };
      expect(zt).toMatchObject({
        decision: 'allow',
        decisionId: expect.any(String),
        isolate: false,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
    });

    it('refuses a denied request with 403 problem+json and the user reasons only', async () => {
      const res = await get('/todos/secret', userToken);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 'ACCESS_DENIED', decision_id: expect.any(String) });
      expect(JSON.stringify(body)).not.toContain('secret todo');
    });

    it('asks for step-up authentication (RFC 9470) on require_mfa, and allows once the session used MFA', async () => {
      const res = await fetch(`${appUrl}/todos/1`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${userToken}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer error="insufficient_user_authentication", error_description="[^"]*", acr_values="mfa"$/,
      );
      const stepped = await fetch(`${appUrl}/todos/1`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${mfaToken}` },
      });
      expect(stepped.status).toBe(200);
    });

    it('reflects a policy change on the next call that carries the write revision', async () => {
      expect((await get('/todos/7', userToken)).status).toBe(200);
      const written = await admin.policies.create({
        name: 'no todo 7',
        subjects: ['*'],
        resources: ['todo.7'],
        actions: ['read'],
        effect: 'deny',
      });
      const res = await get('/todos/7', userToken, { 'zt-min-revision': String(written.revision) });
      expect(res.status).toBe(403);
    });

    it('fails closed (503) when the product is down, open only on the route configured so', async () => {
      await product.stop();
      stopped = true;
      const closed = await get('/todos/2', userToken);
      expect(closed.status).toBe(503);
      expect(await closed.json()).toMatchObject({ code: 'DECISION_UNAVAILABLE' });
      const open = await get('/open/2', userToken);
      expect(open.status).toBe(200);
      expect(await open.json()).toMatchObject({ zt: { failedOpen: true, decision: null } });
    });
  });
});
