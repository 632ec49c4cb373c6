import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

const POLICIES = '/v1/zt-policy/policies';
const KAFKA_SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka-local.sh');

function kafka(command: 'start' | 'stop'): void {
  execFileSync('bash', [KAFKA_SCRIPT, command], { stdio: 'ignore', timeout: 120_000 });
}

describe('policy-admin on real PostgreSQL and Kafka', () => {
  const prefix = `it-admin-${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let service: ServiceProcess;
  let admin: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    service = await startServiceProcess('policy-admin', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      TOPIC_PREFIX: prefix,
      JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'error',
    });
    admin = await issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
  }, 120_000);

  afterAll(async () => {
    kafka('start'); // whatever a failed test left behind, the next suites need the broker
    await service?.stop();
    await database?.drop();
    await issuer?.close();
  }, 120_000);

  it('lets exactly one of two concurrent PUTs with the same If-Match win', async () => {
    const body = {
      id: 'pol_race',
      name: 'race',
      subjects: ['*'],
      resources: ['r'],
      actions: ['read'],
      effect: 'allow',
    };
    expect((await call(service.url, 'POST', POLICIES, { token: admin, body })).status).toBe(201);
    const attempts = await Promise.all(
      ['deny', 'isolate', 'require_mfa', 'deny'].map((effect) =>
        call(service.url, 'PUT', `${POLICIES}/pol_race`, {
          token: admin,
          body: { ...body, effect },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 412, 412, 412]);
    const versions = await call<unknown[]>(service.url, 'GET', `${POLICIES}/pol_race/versions`, {
      token: admin,
    });
    expect(versions.body).toHaveLength(2);
  });

  it('loses no change made while Kafka is down, and sends it exactly once when it is back', async () => {
    kafka('stop');
    const body = {
      id: 'pol_outbox',
      name: 'outbox',
      subjects: ['*'],
      resources: ['r'],
      actions: ['read'],
      effect: 'allow',
    };
    const created = await call(service.url, 'POST', POLICIES, { token: admin, body });
    expect(created.status).toBe(201); // committed in PostgreSQL; the event waits in the outbox
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    kafka('start');

    const client = new Kafka({
      brokers: INFRA.kafkaBrokers.split(','),
      clientId: 'outbox-it',
      logLevel: logLevel.NOTHING,
    });
    const consumer = client.consumer({ groupId: `${prefix}reader` });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}zt.policy.changes`, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.key?.toString() === 'pol_outbox') seen.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    try {
      await eventually(() => (seen.length > 0 ? true : undefined), 60_000, 'the outbox event');
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // room for a duplicate to show up
      expect(seen).toHaveLength(1);
      expect(JSON.parse(seen[0])).toMatchObject({
        type: 'com.zt.policy.created',
        data: { policyId: 'pol_outbox', version: 1 },
      });
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);
});
