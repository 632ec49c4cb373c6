import { randomUUID } from 'node:crypto';
import certification from '../authzen/certification-cases.json';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

/**
 * The OpenID AuthZEN certification scenario (test/authzen/README.md): every Basic, Batch and
 * Discovery case, each its own test, against the standalone product set up through the admin
 * API with the scenario's fixture (§c-1), as a deployer would. Requests are sent as the scenario
 * writes them, by a policy enforcement point (role pep), each with an X-Request-ID that every
 * answer, errors included, must echo.
 */

interface Case {
  id: string;
  title: string;
  endpoint: 'evaluation' | 'evaluations' | 'metadata';
  request?: Record<string, unknown> & { evaluations?: unknown[] };
  expected?: {
    status?: number;
    body?: { decision?: boolean; evaluations?: { decision: boolean }[] };
    says: string;
  };
  rule?: string;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { decision?: unknown; evaluations?: Record<string, unknown>[] };
}

const CASES = (certification as { cases: Case[] }).cases;
const PUBLIC_BASE_URL = 'https://pdp.example.test';
const ADMIN_API = '/v1/zt-policy';

/** The fixture of §c-1-4 as policies: how a PDP implements it is the implementer's choice. */
const FIXTURE_POLICIES = [
  {
    id: 'cert_read',
    name: 'fixture users read records (rules 1, 3)',
    subjects: ['user:alice', 'user:bob'],
    resources: ['record-*'],
    actions: ['read'],
    effect: 'allow',
  },
  {
    id: 'cert_write',
    name: 'alice writes records that are not archived (rules 2, 5)',
    subjects: ['user:alice'],
    resources: ['record-*'],
    actions: ['write'],
    conditions: {
      expression: '!has(resource.properties.status) || resource.properties.status != "archived"',
    },
    effect: 'allow',
  },
  {
    id: 'cert_admin_archived',
    name: 'admins write archived records (rules 4, 6)',
    subjects: ['*'],
    resources: ['record-*'],
    actions: ['write'],
    conditions: {
      role: 'admin',
      expression: 'has(resource.properties.status) && resource.properties.status == "archived"',
    },
    effect: 'allow',
  },
  {
    id: 'cert_soft_delete',
    name: 'alice soft-deletes records (rules 7, 8)',
    subjects: ['user:alice'],
    resources: ['record-*'],
    actions: ['delete'],
    conditions: { expression: 'has(context.action.soft) && context.action.soft == true' },
    effect: 'allow',
  },
];

/** The subjects of §c-1-1, in the principal directory. */
const FIXTURE_SUBJECTS: [string, Record<string, unknown>][] = [
  ['alice', { type: 'user' }],
  ['bob', { type: 'user', attributes: { role: 'admin' } }],
];

const PERMIT = {
  subject: { type: 'user', id: 'alice' },
  action: { name: 'read' },
  resource: { type: 'record', id: 'record-1' },
};
const BATCH = CASES.find((c) => c.id === 'c-3-2-2')?.request;

describe('OpenID AuthZEN certification scenario: Basic, Batch, Discovery (standalone)', () => {
  let product: StandaloneUnderTest;
  let pep: string;

  /** Sends a raw request the way the harness does; a fresh X-Request-ID unless told otherwise. */
  async function send(
    path: string,
    init: { body?: string; contentType?: string | null; requestId?: string | null; method?: string } = {},
  ): Promise<Answer & { requestId?: string }> {
    const requestId = init.requestId === undefined ? randomUUID() : (init.requestId ?? undefined);
    const headers: Record<string, string> = { authorization: `Bearer ${pep}` };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    if (init.contentType !== null) headers['content-type'] = init.contentType ?? 'application/json';
    const response = await fetch(`${product.url}${path}`, {
      method: init.method ?? 'POST',
      headers,
      body: init.body,
    });
    const text = await response.text();
    let body: Answer['body'] = {};
    try {
      body = text ? (JSON.parse(text) as Answer['body']) : {};
    } catch {
      // Asserted by the caller through the content type.
    }
    // Every answer of the AuthZEN API, errors included, echoes the request id (§c-2-5-1, §c-5).
    if (requestId !== undefined) expect(response.headers.get('x-request-id')).toBe(requestId);
    return { status: response.status, headers: response.headers, body, requestId };
  }

  const post = (endpoint: string, request: unknown) =>
    send(`/access/v1/${endpoint}`, { body: JSON.stringify(request) });

  /** §c-2-3, §c-3-3: the structure every 200 answer of the evaluation endpoints must have. */
  function expectDecisionShape(decision: unknown): void {
    expect(decision).toEqual(expect.objectContaining({ decision: expect.any(Boolean) }));
    const context = (decision as { context?: unknown }).context;
    if (context !== undefined) expect(context).toEqual(expect.any(Object));
  }

  beforeAll(async () => {
    product = await startStandaloneForTest({ PUBLIC_BASE_URL });
    pep = await product.issuer.mint({ sub: 'certification-harness', roles: ['pep'] });
    const admin = await product.issuer.mint({ sub: 'pat@example.test', roles: ['policy_admin'] });
    for (const [id, principal] of FIXTURE_SUBJECTS) {
      const r = await call(product.url, 'PUT', `${ADMIN_API}/principals/${id}`, {
        token: admin,
        body: principal,
      });
      expect(r.status).toBe(200);
    }
    let revision = 0;
    for (const policy of FIXTURE_POLICIES) {
      const r = await call(product.url, 'POST', `${ADMIN_API}/policies`, { token: admin, body: policy });
      expect(r.status).toBe(201);
      revision = Math.max(revision, Number(r.headers.get('zt-policy-revision')));
    }
    // Read-your-writes: the decision side has the whole fixture before the first case runs.
    await eventually(async () => {
      const r = await call(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body: PERMIT,
        headers: { 'zt-min-revision': String(revision) },
      });
      return r.status === 200 ? true : undefined;
    });
  }, 60_000); // Startup and a dozen admin writes, on a shared machine: more than the default.

  afterAll(async () => {
    await product?.stop();
  });

  /** The cases the scenario states in prose: how each is checked. */
  const PROSE: Record<string, () => Promise<void>> = {
    'c-2-3-1': async () => {
      const r = await post('evaluation', PERMIT);
      expect(r.status).toBe(200);
      expect(typeof r.body.decision).toBe('boolean');
    },
    'c-2-3-2': async () => {
      const r = await post('evaluation', PERMIT);
      expectDecisionShape(r.body);
    },
    'c-2-4-3': async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
        const r = await send('/access/v1/evaluation', { body: JSON.stringify(PERMIT), contentType });
        expect(r.status).toBe(400);
      }
      const untyped = await send('/access/v1/evaluation', {
        body: JSON.stringify(PERMIT),
        contentType: null,
      });
      expect(untyped.status).toBe(400);
    },
    'c-2-4-4': async () => {
      const r = await send('/access/v1/evaluation', { body: '{"subject": {"type": "user", "id": "alice"},' });
      expect(r.status).toBe(400);
    },
    'c-2-4-5': async () => {
      expect((await send('/access/v1/evaluation', { body: '' })).status).toBe(400);
      expect((await send('/access/v1/evaluation', { contentType: null })).status).toBe(400);
    },
    'c-2-5-1': async () => {
      const requestId = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
      const r = await send('/access/v1/evaluation', { body: JSON.stringify(PERMIT), requestId });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-request-id')).toBe(requestId);
    },
    'c-2-5-2': async () => {
      const r = await send('/access/v1/evaluation', { body: JSON.stringify(PERMIT), requestId: null });
      expect(r.status).toBe(200);
      expect(r.body.decision).toBe(true);
    },
    'c-2-6': async () => {
      const decisions: unknown[] = [];
      for (let i = 0; i < 5; i++) decisions.push((await post('evaluation', PERMIT)).body.decision);
      expect(decisions).toEqual([true, true, true, true, true]);
    },
    'c-3-3-1': async () => {
      const r = await post('evaluations', BATCH);
      expect(r.body.evaluations).toHaveLength(BATCH?.evaluations?.length ?? -1);
    },
    'c-3-3-2': async () => {
      const r = await post('evaluations', BATCH);
      // c-3-2-2: read (rule 3, permit) first, write (rule 4, deny) second.
      expect(r.body.evaluations?.map((e) => e.decision)).toEqual([true, false]);
    },
    'c-3-3-3': async () => {
      const r = await post('evaluations', BATCH);
      r.body.evaluations?.forEach(expectDecisionShape);
    },
    'c-3-3-4': async () => {
      const r = await post('evaluations', BATCH);
      expect(r.body).not.toHaveProperty('decision');
    },
    'c-6': async () => {
      const r = await send('/.well-known/authzen-configuration', { method: 'GET', contentType: null });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.body.policy_decision_point).toBe(PUBLIC_BASE_URL);
      expect(r.body.access_evaluation_endpoint).toBe(`${PUBLIC_BASE_URL}/access/v1/evaluation`);
      for (const [name, value] of Object.entries(r.body)) {
        if (name.endsWith('_endpoint')) expect(new URL(String(value)).protocol).toBe('https:');
      }
      if (r.body.capabilities !== undefined) expect(r.body.capabilities).toEqual(expect.arrayContaining([]));
    },
  };

  /** Decision values the scenario states in words rather than in an expected body. */
  const ITEM_DECISIONS: Record<string, boolean[]> = {
    // "HTTP 200 with two evaluations. The second evaluation MUST have "decision": false"; the
    // first is fixture rule 1.
    'c-3-4-1': [true, false],
  };

  it('extracts every Basic, Batch and Discovery case of the scenario', () => {
    expect(CASES).toHaveLength(42);
    expect(CASES.filter((c) => c.rule !== undefined).map((c) => c.id)).toEqual(Object.keys(PROSE));
  });

  it.each(CASES.map((c, i) => [`${c.id} ${c.title}`, i] as const))('%s', async (_name, index) => {
    const c = CASES[index];
    if (c.rule !== undefined) {
      await PROSE[c.id]();
      return;
    }
    const r = await post(c.endpoint, c.request);
    expect({ status: r.status, body: r.body }).toEqual(
      expect.objectContaining({ status: c.expected?.status }),
    );
    if (r.status !== 200) return;
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = c.expected?.body;
    const batch = (c.request?.evaluations?.length ?? 0) > 0;
    if (!batch) {
      expectDecisionShape(r.body);
      if (expected?.decision !== undefined) expect(r.body.decision).toBe(expected.decision);
      return;
    }
    expect(r.body.evaluations).toHaveLength(c.request?.evaluations?.length ?? -1);
    r.body.evaluations?.forEach(expectDecisionShape);
    const decisions = expected?.evaluations?.map((e) => e.decision) ?? ITEM_DECISIONS[c.id];
    if (decisions) expect(r.body.evaluations?.map((e) => e.decision)).toEqual(decisions);
  });
});
