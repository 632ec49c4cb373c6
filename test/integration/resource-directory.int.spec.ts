import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@zt/config';
import { resourceKey } from '@zt/contracts';
import { RunningProcess, startDistributed } from '@zt/runtime';
import { decisionService } from '../../apps/decision/src/index';
import { PolicyState } from '../../apps/decision/src/policy-state/policy-state';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

const RESOURCES = '/v1/zt-policy/resources';

/**
 * policy-admin runs as its own process from the build; the decision replicas run in this process
 * (distributed mode: real Kafka, Redis and the snapshot over HTTP) so the test can look into
 * their PolicyState, which no HTTP route shows whole.
 */
describe('the resource directory reaches decision replicas over Kafka and the snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-it-resources-'));
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let admin: ServiceProcess;
  const replicas: RunningProcess[] = [];
  let env: Record<string, string>;
  let token: string;

  async function startReplica(name: string, extra: Record<string, string> = {}): Promise<PolicyState> {
    const replica = await startDistributed(
      decisionService,
      loadConfig({ ...env, PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', INSTANCE_ID: name, ...extra }),
    );
    replicas.push(replica);
    await eventually(
      async () => ((await call(replica.url, 'GET', '/readyz')).status === 200 ? true : undefined),
      90_000,
      `${name} to be ready`,
    );
    return replica.app.get(PolicyState, { strict: false });
  }

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      REDIS_URL: INFRA.redisUrl,
      TOPIC_PREFIX: `it-res-${randomBytes(4).toString('hex')}.`,
      REDIS_KEY_PREFIX: `it-res-${randomBytes(4).toString('hex')}:`,
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
    };
    admin = await startServiceProcess('policy-admin', env);
    token = await issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    writeFileSync(join(dir, 'pdp.token'), await issuer.mint({ sub: 'decision-pdp', roles: ['pdp'] }));
  }, 180_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await admin?.stop();
    await database?.drop();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a running replica applies PUT and DELETE from the topic; a new one starts from the snapshot', async () => {
    const early = await startReplica('decision-early');
    const key = resourceKey('record', 'r-101');
    const put = await call(admin.url, 'PUT', `${RESOURCES}/record/r-101`, {
      token,
      body: { properties: { owner: 'alice', department: 'sales' } },
    });
    expect(put.status).toBe(200);
    await eventually(
      () => (early.resources.get(key)?.properties.owner === 'alice' ? true : undefined),
      30_000,
      'the resource to reach the running replica over Kafka',
    );
    expect(early.revision).toBeGreaterThanOrEqual(put.body.revision as number);
    // The listing's SQL on PostgreSQL itself (the e2e suite runs it on the embedded one).
    const listed = await call<{ id: string }[]>(
      admin.url,
      'GET',
      `${RESOURCES}?type=record&property=owner:alice&property=department:sales&limit=1`,
      { token },
    );
    expect(listed.body.map((r) => r.id)).toEqual(['r-101']);
    expect(listed.headers.get('link')).toBeNull();

    const late = await startReplica('decision-late', {
      POLICY_ADMIN_URL: admin.url,
      POLICY_ADMIN_TOKEN_FILE: join(dir, 'pdp.token'),
    });
    // Ready means the snapshot is loaded: the resource is there at once.
    expect(late.resources.get(key)).toEqual({
      type: 'record',
      id: 'r-101',
      properties: { owner: 'alice', department: 'sales' },
    });

    expect((await call(admin.url, 'DELETE', `${RESOURCES}/record/r-101`, { token })).status).toBe(204);
    for (const [name, state] of [
      ['early', early],
      ['late', late],
    ] as const) {
      await eventually(
        () => (state.resources.has(key) ? undefined : true),
        30_000,
        `the deletion to reach the ${name} replica`,
      );
    }
  });
});
