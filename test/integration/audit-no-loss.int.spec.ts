import { randomBytes } from 'node:crypto';
import { createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

const EVENTS = 300;

describe('audit: killed mid-stream and restarted, it loses nothing and duplicates nothing', () => {
  const prefix = `it-audit-${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let audit: ServiceProcess | undefined;
  let env: Record<string, string>;

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
  }, 120_000);

  afterAll(async () => {
    await audit?.stop();
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('records every decision log event exactly once across a SIGKILL', async () => {
    const kafka = new Kafka({
      brokers: INFRA.kafkaBrokers.split(','),
      clientId: 'audit-no-loss',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const ids: string[] = [];
    const first: string[] = [];
    try {
      for (let batch = 0; batch < EVENTS / 20; batch++) {
        const events = Array.from({ length: 20 }, (_, i) => {
          const n = batch * 20 + i;
          return createCloudEvent({
            source: EventSources.decision,
            type: EventTypes.decisionMade,
            subject: `d${n}`,
            data: { decisionId: `d${n}`, decision: 'allow', subject: 'alice', n },
          });
        });
        ids.push(...events.map((e) => e.id));
        if (batch === 0) first.push(...events.map((e) => JSON.stringify(e)));
        await producer.send({
          topic: `${prefix}zt.decision.log`,
          messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
        });
        if (batch === 5) audit?.child.kill('SIGKILL'); // mid-stream, no goodbye
      }
      // Send the first batch again: at-least-once delivery must not create duplicates.
      await producer.send({ topic: `${prefix}zt.decision.log`, messages: first.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
    await audit?.stop(); // already killed: this only waits for the exit
    audit = await startServiceProcess('audit', env);

    const auditor = await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const recorded = await eventually(
      async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page: { body: { items: { eventId: string }[]; next_cursor?: string } } = await call(
            audit!.url,
            'GET',
            `/v1/zt-policy/audit/events?type=com.zt.decision.made&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
            { token: auditor },
          );
          seen.push(...page.body.items.map((r) => r.eventId));
          cursor = page.body.next_cursor;
        } while (cursor);
        return seen.length >= EVENTS ? seen : undefined;
      },
      90_000,
      'every event in the audit store',
    );
    expect(recorded).toHaveLength(EVENTS);
    expect(new Set(recorded)).toEqual(new Set(ids));
    const verdict = await call(audit.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true, records: EVENTS });
  }, 240_000);
});
