import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const DECISIONS = '/v1/zt-policy/decisions';
const SIMULATE = '/v1/zt-policy/changesets:simulate';

interface Flip {
  from: string;
  to: string;
  count: number;
  policies: { id: string; count: number }[];
  examples: {
    subject: string;
    action: string;
    resource: string;
    before: { decision: string };
    after: { decision: string };
  }[];
}
interface Simulation {
  revision: number;
  changes: { id: string; result: string }[];
  replay: {
    revision: number;
    scanned: number;
    replayed: number;
    invalid: number;
    skipped: { no_input: number; redacted: number };
    changed: number;
    flips: Flip[];
    top_subjects: { id: string; count: number }[];
    top_resources: { id: string; count: number }[];
  };
}

const policy = (
  id: string,
  effect: 'allow' | 'deny',
  resources: string[],
  extra: Record<string, unknown> = {},
) => ({
  id,
  name: id,
  subjects: ['*'],
  resources,
  actions: ['read'],
  effect,
  ...extra,
});

describe('replay: what a change set would flip, on recorded decisions (standalone)', () => {
  let product: StandaloneUnderTest;
  let root: string;
  let pep: string;
  let admin: string;
  let minRevision = 0;

  const decide = (subject: string, resource: string) =>
    call<{ decision: string }>(product.url, 'POST', DECISIONS, {
      token: pep,
      body: {
        subject: { id: subject },
        action: 'read',
        resource: { type: 'doc', id: resource },
        min_revision: minRevision,
      },
    });

  const simulate = (body: unknown, token = root) =>
    call<Simulation>(product.url, 'POST', SIMULATE, { token, body });

  beforeAll(async () => {
    product = await startStandaloneForTest({ DECISION_CACHE_TTL_SECONDS: '0' });
    root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], mfa: true });
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    // A prepared history: reports are readable by everyone, finance only by the finance group.
    const applied = await call<{ revision: number }>(product.url, 'POST', '/v1/zt-policy/changesets', {
      token: root,
      body: {
        changes: [
          { op: 'put', kind: 'policy', id: 'reports', document: policy('reports', 'allow', ['report-*']) },
          {
            op: 'put',
            kind: 'policy',
            id: 'finance',
            document: policy('finance', 'allow', ['fin-*'], { subjects: ['group:finance'] }),
          },
          { op: 'put', kind: 'principal', id: 'ann', principal: { groups: ['finance'] } },
          { op: 'put', kind: 'principal', id: 'ben', principal: { groups: ['sales'] } },
        ],
      },
    });
    expect(applied.status).toBe(200);
    minRevision = applied.body.revision;
    const answers: string[] = [];
    for (let i = 0; i < 4; i += 1) answers.push((await decide('ann', `report-${i}`)).body.decision);
    for (let i = 0; i < 3; i += 1) answers.push((await decide('ben', `report-${i}`)).body.decision);
    answers.push(
      (await decide('ann', 'fin-q3')).body.decision,
      (await decide('ben', 'fin-q3')).body.decision,
    );
    expect(answers).toEqual([...Array<string>(7).fill('allow'), 'allow', 'deny']);
    // Replay reads what the audit store holds: wait until all nine decisions are there.
    const auditor = await product.issuer.mint({ sub: 'audrey', roles: ['auditor'] });
    await eventually(async () => {
      const page = await call<{ items: unknown[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/decision-inputs?limit=100',
        { token: auditor },
      );
      return page.body.items.length >= 9 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await product?.stop();
  });

  it('reports the decisions a swap of allow for deny flips, with the policy, examples and those most affected', async () => {
    const answer = await simulate({
      changes: [
        { op: 'put', kind: 'policy', id: 'reports', document: policy('reports', 'deny', ['report-*']) },
      ],
    });
    expect(answer.status).toBe(200);
    const { replay } = answer.body;
    expect(replay).toMatchObject({
      scanned: 9,
      replayed: 9,
      invalid: 0,
      skipped: { no_input: 0, redacted: 0 },
    });
    expect(replay.changed).toBe(7);
    expect(replay.flips).toHaveLength(1);
    const [flip] = replay.flips;
    expect(flip).toMatchObject({
      from: 'allow',
      to: 'deny',
      count: 7,
      policies: [{ id: 'reports', count: 7 }],
    });
    expect(flip.examples).toHaveLength(5);
    for (const example of flip.examples) {
      expect(example).toMatchObject({
        action: 'read',
        before: { decision: 'allow' },
        after: { decision: 'deny' },
      });
      expect(example.resource).toMatch(/^doc\/report-\d$/);
    }
    expect(replay.top_subjects).toEqual([
      { id: 'ann', count: 4 },
      { id: 'ben', count: 3 },
    ]);
    expect(replay.top_resources[0]).toEqual({ id: 'doc/report-0', count: 2 });
    // Nothing was written: the policy is as it was (asked of the admin API, not decided: a new
    // decision would join the recorded history the next tests replay).
    const stored = await call<{ effect: string }>(product.url, 'GET', '/v1/zt-policy/policies/reports', {
      token: root,
    });
    expect(stored.body.effect).toBe('allow');
    expect(stored.headers.get('etag')).toBe('"1"');
  });

  it('replays directory changes: a principal leaving a group loses what the group gave, another joining gains it', async () => {
    const answer = await simulate({
      changes: [
        { op: 'put', kind: 'principal', id: 'ann', principal: { groups: ['sales'] } },
        { op: 'put', kind: 'principal', id: 'ben', principal: { groups: ['sales', 'finance'] } },
      ],
    });
    expect(answer.status).toBe(200);
    const flips = Object.fromEntries(answer.body.replay.flips.map((f) => [`${f.from}->${f.to}`, f]));
    expect(Object.keys(flips).sort()).toEqual(['allow->deny', 'deny->allow']);
    expect(flips['allow->deny']).toMatchObject({
      count: 1,
      examples: [{ subject: 'ann', resource: 'doc/fin-q3' }],
    });
    expect(flips['deny->allow']).toMatchObject({
      count: 1,
      policies: [{ id: 'finance', count: 1 }],
      examples: [{ subject: 'ben', resource: 'doc/fin-q3' }],
    });
  });

  it('bounds the window: limit takes the newest, and a window before every decision replays none', async () => {
    const change = {
      changes: [{ op: 'delete', kind: 'policy', id: 'finance' }],
    };
    const newest = await simulate({ ...change, replay: { limit: 2 } });
    expect(newest.body.replay).toMatchObject({ scanned: 2, replayed: 2 });
    // The two newest are the fin-q3 decisions: ann's allow flips, ben's deny stays.
    expect(newest.body.replay.flips).toMatchObject([{ from: 'allow', to: 'deny', count: 1 }]);
    const none = await simulate({ ...change, replay: { to: '2020-01-01T00:00:00Z' } });
    expect(none.body.replay).toMatchObject({ scanned: 0, replayed: 0, changed: 0, flips: [] });
  });

  it('refuses a bad window with pointers, and a caller who may not read decisions', async () => {
    const bad = await simulate({
      changes: [{ op: 'delete', kind: 'policy', id: 'finance' }],
      replay: { limit: 0, from: 'yesterday', extra: true },
    });
    expect(bad.status).toBe(400);
    const pointers = (bad.body as unknown as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/replay/limit', '/replay/from', '/replay/extra']));
    const forbidden = await simulate({ changes: [{ op: 'delete', kind: 'policy', id: 'finance' }] }, admin);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    const missing = await simulate({ changes: [{ op: 'delete', kind: 'policy', id: 'nope' }] });
    expect(missing.status).toBe(409);
  });
});

describe('replay with redacted decision logs (standalone)', () => {
  let product: StandaloneUnderTest;

  afterAll(async () => {
    await product?.stop();
  });

  it('skips and counts decisions whose inputs were redacted, and the log keeps no readable subject', async () => {
    product = await startStandaloneForTest({ DECISION_LOG_REDACT: 'subject' });
    const root = await product.issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], mfa: true });
    const pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: root,
      body: policy('reports', 'allow', ['report-*']),
    });
    for (let i = 0; i < 3; i += 1) {
      await call(product.url, 'POST', DECISIONS, {
        token: pep,
        body: { subject: { id: 'carol', roles: ['x'] }, action: 'read', resource: { id: `report-${i}` } },
      });
    }
    const records = await eventually(async () => {
      const page = await call<{ items: { payload: Record<string, unknown> }[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/events?type=com.zt.decision.made',
        { token: root },
      );
      return page.body.items.length >= 3 ? page.body.items : undefined;
    });
    expect(JSON.stringify(records)).not.toContain('carol');
    expect(records[0].payload).toMatchObject({
      inputRedacted: true,
      input: { subject: { id: expect.stringMatching(/^sha256:/) } },
    });
    const answer = await call<Simulation>(product.url, 'POST', SIMULATE, {
      token: root,
      body: { changes: [{ op: 'delete', kind: 'policy', id: 'reports' }] },
    });
    expect(answer.body.replay).toMatchObject({
      scanned: 3,
      replayed: 0,
      skipped: { redacted: 3, no_input: 0 },
    });
  }, 60_000);
});
