import { call, eventually } from '../support/http';
import { createTestDatabase, ServiceProcess, startServiceProcess, serviceEnv } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

interface Simulation {
  replay: {
    scanned: number;
    replayed: number;
    changed: number;
    flips: { from: string; to: string; count: number; policies: { id: string; count: number }[] }[];
  };
}

const policy = (id: string, effect: 'allow' | 'deny', resources: string[]) => ({
  id,
  name: id,
  subjects: ['*'],
  resources,
  actions: ['read'],
  effect,
});

/**
 * Replay across processes on the real Kafka and PostgreSQL: decisions made by a decision replica
 * travel the decision log topic to the audit service, and policy-admin reads their inputs from
 * the audit service (AUDIT_URL) with the caller's token to simulate a change set.
 */
describe('replay of recorded decisions, distributed', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    const env = serviceEnv(database, issuer, {
      MIN_REVISION_WAIT_MS: '5000',
      DECISION_LOG_FLUSH_MS: '100',
    });
    const audit = await startServiceProcess('audit', env);
    const decision = await startServiceProcess('decision', env);
    const admin = await startServiceProcess('policy-admin', { ...env, AUDIT_URL: audit.url });
    services = [admin, decision, audit];
  }, 300_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('reports the flips of a change set on decisions recorded by another process', async () => {
    const [admin, decision, audit] = services;
    const root = await issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], amr: ['pwd', 'mfa'] });
    const pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const applied = await call<{ revision: number }>(admin.url, 'POST', '/v1/zt-policy/changesets', {
      token: root,
      body: {
        changes: [
          { op: 'put', kind: 'policy', id: 'reports', document: policy('reports', 'allow', ['report-*']) },
          { op: 'put', kind: 'policy', id: 'ledgers', document: policy('ledgers', 'allow', ['ledger-*']) },
        ],
      },
    });
    expect(applied.status).toBe(200);
    const ids: string[] = [];
    for (const resource of ['report-1', 'report-2', 'report-3', 'ledger-1', 'other']) {
      const r = await call<{ decision: string; decision_id: string }>(
        decision.url,
        'POST',
        '/v1/zt-policy/decisions',
        {
          token: pep,
          body: {
            subject: { id: 'dana@company.com' },
            action: 'read',
            resource: { id: resource },
            min_revision: applied.body.revision,
          },
        },
      );
      expect(r.body.decision).toBe(resource === 'other' ? 'deny' : 'allow');
      ids.push(r.body.decision_id);
    }
    // Through the decision log topic into the audit store.
    await eventually(
      async () => {
        const page = await call<{ items: { decisionId: string }[] }>(
          audit.url,
          'GET',
          '/v1/zt-policy/audit/decision-inputs?limit=100',
          { token: root },
        );
        const seen = new Set(page.body.items.map((i) => i.decisionId));
        return ids.every((id) => seen.has(id)) ? true : undefined;
      },
      60_000,
      'the decisions in the audit store',
    );
    const simulated = await call<Simulation>(admin.url, 'POST', '/v1/zt-policy/changesets:simulate', {
      token: root,
      body: {
        changes: [
          { op: 'put', kind: 'policy', id: 'reports', document: policy('reports', 'deny', ['report-*']) },
          { op: 'put', kind: 'policy', id: 'others', document: policy('others', 'allow', ['other']) },
        ],
      },
    });
    expect(simulated.status).toBe(200);
    expect(simulated.body.replay).toMatchObject({ scanned: 5, replayed: 5, changed: 4 });
    expect(simulated.body.replay.flips).toEqual([
      expect.objectContaining({
        from: 'allow',
        to: 'deny',
        count: 3,
        policies: [{ id: 'reports', count: 3 }],
      }),
      expect.objectContaining({
        from: 'deny',
        to: 'allow',
        count: 1,
        policies: [{ id: 'others', count: 1 }],
      }),
    ]);
    // The caller's token travels to the audit service: one that may not read decisions may not replay.
    const writer = await issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const refused = await call(admin.url, 'POST', '/v1/zt-policy/changesets:simulate', {
      token: writer,
      body: { changes: [{ op: 'delete', kind: 'policy', id: 'ledgers' }] },
    });
    expect(refused.status).toBe(403);
  }, 120_000);
});
