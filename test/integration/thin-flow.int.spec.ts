import { randomBytes } from 'node:crypto';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';
import { runThinFlow } from '../support/thin-flow';

describe('distributed thin flow: four processes on real Kafka, Redis and PostgreSQL', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  const services: Record<string, ServiceProcess> = {};

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      REDIS_URL: INFRA.redisUrl,
      // Topics and keys of this run only, so runs never see each other's events.
      TOPIC_PREFIX: `it-${randomBytes(4).toString('hex')}.`,
      REDIS_KEY_PREFIX: `it-${randomBytes(4).toString('hex')}:`,
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
    };
    // policy-admin first: it creates the schema its neighbours' topics carry.
    for (const name of ['policy-admin', 'decision', 'device-intelligence', 'audit']) {
      services[name] = await startServiceProcess(name, env);
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('stores a policy, enforces it through Kafka and audits change and decisions', async () => {
    await runThinFlow(
      {
        policyAdmin: services['policy-admin'].url,
        decision: services.decision.url,
        audit: services.audit.url,
      },
      {
        admin: await issuer.mint({ sub: 'admin@company.com', roles: ['policy_admin'] }),
        auditor: await issuer.mint({ sub: 'auditor@company.com', roles: ['auditor'] }),
        scientist: await issuer.mint({ sub: 'pep@company.com', roles: ['pep'] }),
      },
    );
  }, 120_000);

  it('rejects a token from an issuer it does not trust', async () => {
    const stranger = await startTestIssuer(issuer.issuer);
    try {
      const token = await stranger.mint({ sub: 'mallory@company.com', roles: ['infra_admin'] });
      const r = await fetch(`${services['policy-admin'].url}/v1/zt-policy/policies`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(401);
    } finally {
      await stranger.close();
    }
  });
});
