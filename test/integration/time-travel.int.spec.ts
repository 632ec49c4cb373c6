import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { call, eventually } from '../support/http';
import { createTestDatabase, ServiceProcess, startServiceProcess, serviceEnv } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

interface Decision {
  decision: string;
  revision: number;
  as_of?: { revision: number; committed_at: string | null };
}
interface Snapshot {
  revision: number;
  as_of?: { revision: number };
  policies: { policyId: string; document: { effect: string } }[];
  principals: { principalId: string; principal: { roles: string[] } }[];
}
interface Problem {
  code: string;
  history_start?: number;
}

const V1 = '/v1/zt-policy';
const POLICY = 'tt_ledger_read';
const policy = (effect: 'allow' | 'deny') => ({
  id: POLICY,
  name: POLICY,
  subjects: ['role:analyst'],
  resources: ['ledger.*'],
  actions: ['read'],
  effect,
});
const ASK = { subject: { id: 'alice' }, action: 'read', resource: { id: 'ledger.q1' } };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Time travel in distributed mode: policy-admin on PostgreSQL rebuilds past states from its
 * history (the directories' history starting at the upgrade that added it), and a decision
 * replica fed by Kafka fetches them over HTTP with its pdp token.
 */
describe('time travel (distributed: PostgreSQL, Kafka, a decision replica over HTTP)', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let admin: ServiceProcess;
  let replica: ServiceProcess;
  let blind: ServiceProcess;
  let writer: string;
  let auditor: string;
  let pep: string;
  let revision = 0;
  /** Committed before the directories' history began: the upgrade's moment. */
  let beforeHistory: string;
  let historyStart = 0;
  const dir = mkdtempSync(join(tmpdir(), 'zt-time-travel-'));

  const write = async (method: string, path: string, body: unknown): Promise<void> => {
    const r = await call(admin.url, method, path, { token: writer, body });
    expect([path, r.status < 300 ? 'done' : r.body]).toEqual([path, 'done']);
    const header = r.headers.get('zt-policy-revision');
    revision = Math.max(revision, Number(header ?? (r.body as { revision?: number }).revision ?? 0));
  };
  const decide = <T = Decision>(url: string, body: unknown, token: string) =>
    call<T>(url, 'POST', `${V1}/decisions`, {
      token,
      body,
      headers: { 'zt-min-revision': String(revision) },
    });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    env = serviceEnv(database, issuer, {
      MIN_REVISION_WAIT_MS: '5000',
    });
    writer = await issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], amr: ['pwd', 'mfa'] });
    auditor = await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
    writeFileSync(join(dir, 'pdp.token'), await issuer.mint({ sub: 'decision-pdp', roles: ['pdp'] }));

    // A policy-admin from before the history: started, written to, then taken back to the
    // migration before the history's (the tables dropped), as a database that is upgraded.
    admin = await startServiceProcess('policy-admin', env);
    await write('PUT', `${V1}/principals/bob`, { roles: ['analyst'] });
    await pause(50);
    beforeHistory = new Date().toISOString();
    await pause(50);
    await write('PUT', `${V1}/principals/alice`, { roles: ['analyst'] });
    await admin.stop();
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query(`DROP INDEX policy_admin.revision_log_committed_at`);
      await db.query(
        `DROP TABLE policy_admin.history_start, policy_admin.resource_versions, policy_admin.principal_versions`,
      );
      await db.query(`DELETE FROM zt_migrations_policy_admin WHERE name = 'DirectoryHistory1763800000025'`);
    } finally {
      await db.end();
    }
    historyStart = revision;
    admin = await startServiceProcess('policy-admin', env);

    replica = await startServiceProcess('decision', {
      ...env,
      INSTANCE_ID: 'decision-tt',
      POLICY_ADMIN_URL: admin.url,
      POLICY_ADMIN_TOKEN_FILE: join(dir, 'pdp.token'),
    });
    blind = await startServiceProcess('decision', { ...env, INSTANCE_ID: 'decision-blind' });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([admin, replica, blind].map((s) => s?.stop()));
    await database?.drop();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('starts the history at the upgrade: the backfilled state is there, what is older is refused', async () => {
    const start = await call<Snapshot>(admin.url, 'GET', `${V1}/policies:snapshot?revision=${historyStart}`, {
      token: writer,
    });
    expect(start.status).toBe(200);
    expect(start.body.as_of?.revision).toBe(historyStart);
    expect(start.body.principals.map((p) => [p.principalId, p.principal.roles])).toEqual([
      ['alice', ['analyst']],
      ['bob', ['analyst']],
    ]);
    const older = await call<Problem>(
      admin.url,
      'GET',
      `${V1}/policies:snapshot?revision=${historyStart - 1}`,
      { token: writer },
    );
    expect(older.status).toBe(422);
    expect(older.body).toMatchObject({ code: 'HISTORY_NOT_AVAILABLE', history_start: historyStart });
  });

  it('decides as of a past instant on a replica that reads the past from policy-admin', async () => {
    await write('POST', `${V1}/policies`, policy('allow'));
    await pause(50);
    const then = { revision, at: new Date().toISOString() };
    await pause(50);
    // One change set: the policy turns to deny and alice loses the role.
    await write('POST', `${V1}/changesets`, {
      changes: [
        { op: 'put', kind: 'policy', id: POLICY, document: policy('deny') },
        { op: 'put', kind: 'principal', id: 'alice', principal: { roles: [] } },
      ],
    });
    await eventually(async () =>
      (await decide(replica.url, ASK, pep)).body.revision >= revision ? true : undefined,
    );

    const past = await decide(replica.url, { ...ASK, at: then.at }, auditor);
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({
      decision: 'allow',
      revision: then.revision,
      as_of: { revision: then.revision },
    });
    const now = await decide(replica.url, ASK, pep);
    expect(now.body).toMatchObject({ decision: 'deny', revision });

    // Before the history began: policy-admin's 422 is passed on, not another state.
    const early = await decide<Problem>(replica.url, { ...ASK, at: beforeHistory }, auditor);
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('HISTORY_NOT_AVAILABLE');
  });

  it('answers 503, never the current state, when the replica cannot read the past', async () => {
    const refused = await decide<Problem>(blind.url, { ...ASK, at: new Date().toISOString() }, auditor);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });
});
