import gateway from '../authzen/gateway-decisions.json';
import todo from '../authzen/todo-decisions-authorization-api-1_0-02.json';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

/**
 * The official AuthZEN interop decisions (test/authzen/README.md) of the Todo application
 * (authorization-api-1_0-02: single and batch) and of the API gateway profile, judged the way
 * their harnesses judge them: `JSON.stringify(expected) === JSON.stringify(answer)`, where the
 * answer is `decision || false`, or `evaluations || []` for a batch. The harness compares batch
 * entries whole, so it asks for bare decisions (`Prefer: return=minimal`).
 */

interface Interop {
  request: Record<string, unknown>;
  expected: boolean | { decision: boolean }[];
}

/** The Todo application's users (interop/authzen-todo-backend/src/directory.ts), by identity. */
const USERS: [string, string, string[]][] = [
  [
    'CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs',
    'rick@the-citadel.com',
    ['admin', 'evil_genius'],
  ],
  ['CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'morty@the-citadel.com', ['editor']],
  ['CiRmZDI2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'summer@the-smiths.com', ['editor']],
  ['CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'beth@the-smiths.com', ['viewer']],
  ['CiRmZDQ2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs', 'jerry@the-smiths.com', ['viewer']],
];

/** The interop rules as policies: everyone reads; admins and editors create; editors change their own todos, admins any. */
const POLICIES = [
  {
    id: 'todo_read',
    name: 'everyone reads users and todos',
    subjects: ['*'],
    resources: ['*'],
    actions: ['can_read_user', 'can_read_todos'],
    effect: 'allow',
  },
  {
    id: 'todo_create',
    name: 'admins and editors create todos',
    subjects: ['role:admin', 'role:editor'],
    resources: ['*'],
    actions: ['can_create_todo'],
    effect: 'allow',
  },
  {
    id: 'todo_admin',
    name: 'admins change any todo',
    subjects: ['role:admin'],
    resources: ['*'],
    actions: ['can_update_todo', 'can_delete_todo'],
    effect: 'allow',
  },
  {
    id: 'todo_owner',
    name: 'editors change their own todos',
    subjects: ['role:editor'],
    resources: ['*'],
    actions: ['can_update_todo', 'can_delete_todo'],
    conditions: { expression: 'resource.properties.ownerID == subject.properties.email' },
    effect: 'allow',
  },
  {
    id: 'gateway_read',
    name: 'everyone GETs users and todos through the gateway',
    subjects: ['*'],
    resources: ['/users/{userId}', '/todos'],
    actions: ['GET'],
    effect: 'allow',
  },
  {
    id: 'gateway_write',
    name: 'admins and editors change todos through the gateway',
    subjects: ['role:admin', 'role:editor'],
    resources: ['/todos', '/todos/{todoId}'],
    actions: ['POST', 'PUT', 'DELETE'],
    effect: 'allow',
  },
];

describe('OpenID AuthZEN interop decisions: Todo application and API gateway (standalone)', () => {
  let product: StandaloneUnderTest;
  let pep: string;

  /** What the interop harness reads from an answer (runner.ts). */
  async function harness(endpoint: 'evaluation' | 'evaluations', request: unknown): Promise<unknown> {
    const r = await call<{ decision?: boolean; evaluations?: unknown[] }>(
      product.url,
      'POST',
      `/access/v1/${endpoint}`,
      {
        token: pep,
        body: request,
        headers: { prefer: 'return=minimal' },
      },
    );
    expect(r.status).toBe(200);
    return endpoint === 'evaluation' ? r.body.decision || false : r.body.evaluations || [];
  }

  beforeAll(async () => {
    product = await startStandaloneForTest();
    pep = await product.issuer.mint({ sub: 'todo-backend', roles: ['pep'] });
    const admin = await product.issuer.mint({ sub: 'pat@example.test', roles: ['policy_admin'] });
    for (const [identity, email, roles] of USERS) {
      const r = await call(product.url, 'PUT', `/v1/zt-policy/principals/${identity}`, {
        token: admin,
        body: { type: 'user', roles, attributes: { email } },
      });
      expect(r.status).toBe(200);
    }
    let revision = 0;
    for (const policy of POLICIES) {
      const r = await call(product.url, 'POST', '/v1/zt-policy/policies', { token: admin, body: policy });
      expect(r.status).toBe(201);
      revision = Math.max(revision, Number(r.headers.get('zt-policy-revision')));
    }
    await eventually(async () => {
      const r = await call(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body: (todo as { evaluation: Interop[] }).evaluation[0].request,
        headers: { 'zt-min-revision': String(revision) },
      });
      return r.status === 200 ? true : undefined;
    });
  }, 60_000); // Startup and a dozen admin writes, on a shared machine: more than the default.

  afterAll(async () => {
    await product?.stop();
  });

  const label = (r: Record<string, unknown>) => JSON.stringify(r).slice(0, 200);
  const todoSingle = (todo as { evaluation: Interop[] }).evaluation;
  const todoBatch = (todo as { evaluations: Interop[] }).evaluations;
  const gatewaySingle = (gateway as { evaluation: Interop[] }).evaluation;

  it('holds every decision of both files', () => {
    expect([todoSingle.length, todoBatch.length, gatewaySingle.length]).toEqual([40, 3, 25]);
  });

  it.each(todoSingle.map((d) => [label(d.request), d] as const))('todo evaluation %s', async (_name, d) => {
    expect(JSON.stringify(await harness('evaluation', d.request))).toBe(JSON.stringify(d.expected));
  });

  it.each(todoBatch.map((d) => [label(d.request), d] as const))('todo evaluations %s', async (_name, d) => {
    expect(JSON.stringify(await harness('evaluations', d.request))).toBe(JSON.stringify(d.expected));
  });

  it.each(gatewaySingle.map((d) => [label(d.request), d] as const))(
    'gateway evaluation %s',
    async (_name, d) => {
      expect(JSON.stringify(await harness('evaluation', d.request))).toBe(JSON.stringify(d.expected));
    },
  );

  it('answers batch entries with their decision context unless bare decisions are asked for', async () => {
    const request = todoBatch[1].request;
    type Batch = { evaluations: Record<string, unknown>[] };
    const full = await call<Batch>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: request,
    });
    expect(full.headers.get('preference-applied')).toBeNull();
    expect(full.body.evaluations).toEqual([
      expect.objectContaining({ decision: false, context: expect.objectContaining({ decision: 'deny' }) }),
      expect.objectContaining({ decision: true, context: expect.objectContaining({ decision: 'allow' }) }),
    ]);
    const bare = await call<Batch>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: request,
      headers: { prefer: 'handling=lenient, return=minimal' },
    });
    expect(bare.headers.get('preference-applied')).toBe('return=minimal');
    expect(bare.body).toEqual({ evaluations: [{ decision: false }, { decision: true }] });
    const single = await call(product.url, 'POST', '/access/v1/evaluation', {
      token: pep,
      body: todoSingle[0].request,
      headers: { prefer: 'return=minimal' },
    });
    expect(single.body).toEqual({ decision: true });
  });
});
