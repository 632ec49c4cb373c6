import { randomBytes, randomUUID } from 'node:crypto';
import { createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Client } from 'pg';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

// Decision log messages as a replica publishes them: many decisions per message.
const PER_MESSAGE = 100;
const MESSAGES = 60;

/** Decision batch messages of fresh decisions, with their decision ids. */
function decisionLog(messages: number): { values: string[]; ids: string[] } {
  const values: string[] = [];
  const ids: string[] = [];
  for (let m = 0; m < messages; m++) {
    const decisions = Array.from({ length: PER_MESSAGE }, (_, i) => ({
      decisionId: randomUUID(),
      requestDigest: `digest-${m}-${i}`,
      decision: i % 3 === 0 ? 'deny' : 'allow',
      subject: `caller-${i}@company.com`,
      action: 'read',
      resource: `doc-${m}-${i}`,
      policies: [{ id: 'pol_1', version: 1 }],
      revision: 1,
      latencyMs: 0.1,
      at: new Date().toISOString(),
    }));
    ids.push(...decisions.map((d) => d.decisionId));
    const event = createCloudEvent({
      source: EventSources.decision,
      type: EventTypes.decisionBatch,
      data: { decisions },
    });
    values.push(JSON.stringify(event));
  }
  return { values, ids };
}

describe('audit ingest in batches: exact accounting across SIGTERM and SIGKILL mid-stream', () => {
  const prefix = `it-audit-ingest-${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let db: Client;
  let producer: Producer;
  let audit: ServiceProcess | undefined;
  let env: Record<string, string>;

  const storedDecisions = async (): Promise<string[]> => {
    const rows = await db.query<{ subject: string }>(
      `SELECT subject FROM audit.records WHERE type = $1 ORDER BY seq`,
      [EventTypes.decisionMade],
    );
    return rows.rows.map((r) => r.subject);
  };
  const send = (values: string[]) =>
    producer.send({ topic: `${prefix}zt.decision.log`, messages: values.map((value) => ({ value })) });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      TOPIC_PREFIX: prefix,
      JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'error',
    };
    audit = await startServiceProcess('audit', env);
    db = new Client({ connectionString: database.url });
    await db.connect();
    const kafka = new Kafka({
      brokers: INFRA.kafkaBrokers.split(','),
      clientId: 'audit-ingest-it',
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await db?.end();
    await audit?.stop();
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('stores every decision exactly once and the chain verifies, after a stop and a crash mid-stream', async () => {
    const first = decisionLog(MESSAGES);
    const second = decisionLog(MESSAGES);

    // A backlog, and SIGTERM as soon as ingest is under way: the service stops between batches.
    await audit!.stop();
    await send(first.values);
    audit = await startServiceProcess('audit', env);
    await eventually(async () => ((await storedDecisions()).length > 0 ? true : undefined), 60_000, 'ingest');
    await audit.stop();
    expect(audit.child.signalCode).not.toBe('SIGKILL'); // it exited by itself, not by the test's fallback
    const afterStop = (await storedDecisions()).length;

    // A second backlog, with part of the first delivered again, and a crash (no goodbye) mid-stream.
    audit = await startServiceProcess('audit', env);
    await send([...second.values, ...first.values.slice(0, 10)]);
    await eventually(
      async () => ((await storedDecisions()).length > afterStop ? true : undefined),
      60_000,
      'ingest after the restart',
    );
    audit.child.kill('SIGKILL');
    await audit.stop(); // already killed: this only waits for the exit
    audit = await startServiceProcess('audit', env);

    const expected = [...first.ids, ...second.ids];
    const stored = await eventually(
      async () => {
        const ids = await storedDecisions();
        return ids.length >= expected.length ? ids : undefined;
      },
      120_000,
      'every decision in the audit store',
    );
    expect(stored).toHaveLength(expected.length);
    expect(new Set(stored)).toEqual(new Set(expected));

    const auditor = await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const verdict = await call(audit.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true, records: expected.length });
  }, 400_000);
});
