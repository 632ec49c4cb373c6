import { randomBytes, randomUUID } from 'node:crypto';
import { createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

const BATCHES = 4;
const PER_BATCH = 100;

/**
 * One decision of one caller as JSON text. The id and `extra` are spliced in as JSON text, so they
 * can carry what JSON.stringify never writes (`\udc00` alone, `1e999`) exactly as a hostile
 * producer would.
 */
function decisionJson(id: string, n: number, extra = ''): string {
  return (
    `{"decisionId":"${id}","requestDigest":"d${n}","decision":"allow",` +
    `"subject":"caller-${n}@company.com","action":"read","resource":"doc-${n}","policies":[],` +
    `"revision":1,"latencyMs":1${extra}}`
  );
}

/** Poison entries by batch and position, as raw JSON text on the wire, with the reason each is kept for. */
const POISON: Record<string, { json: string; reason: string }> = {
  '0:5': { json: decisionJson('nul', 5, ',"context":"a\\u0000b"'), reason: 'unsafe_input' },
  '0:50': { json: decisionJson('surrogate\\udc00', 50), reason: 'unsafe_input' },
  '1:0': { json: decisionJson('infinite', 0, ',"score":1e999'), reason: 'unsafe_input' },
  // Deeper than JSON.stringify can write back: kept whole all the same.
  '2:99': {
    json: decisionJson('deep', 99, `,"context":${'['.repeat(200_000)}${']'.repeat(200_000)}`),
    reason: 'unsafe_input',
  },
  '3:42': { json: decisionJson('ancient', 42, ',"at":-8640000000000000'), reason: 'rejected_by_database' },
  '3:43': { json: '{"subject":"no decision id"}', reason: 'malformed' },
};

describe('audit on Kafka and PostgreSQL: N decisions in, N-k records plus k dead letters', () => {
  const prefix = `it-dead-${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let audit: ServiceProcess | undefined;
  let db: Client;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    audit = await startServiceProcess('audit', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      TOPIC_PREFIX: prefix,
      JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'error',
    });
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await audit?.stop();
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('stores every good decision in order, keeps each poison whole with its reason, and the chain verifies', async () => {
    const batchIds: string[] = Array.from({ length: BATCHES }, () => randomUUID());
    const expected: string[] = [];
    const messages = batchIds.map((id, b) => {
      const entries = Array.from({ length: PER_BATCH }, (_, i) => {
        const poison = POISON[`${b}:${i}`];
        expected.push(poison ? `dead letter ${b}:${i}` : `decision-b${b}-${i}`);
        return poison?.json ?? decisionJson(`b${b}-${i}`, i);
      });
      return {
        key: id,
        value:
          `{"specversion":"1.0","id":"${id}","source":"${EventSources.decision}",` +
          `"type":"${EventTypes.decisionBatch}","time":"${new Date().toISOString()}",` +
          `"datacontenttype":"application/json","data":{"decisions":[${entries.join(',')}]}}`,
      };
    });
    const kafka = new Kafka({
      brokers: INFRA.kafkaBrokers.split(','),
      clientId: 'audit-dead-letters',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      // One partition key for all: the batches arrive in this order. The first is sent again,
      // as at-least-once delivery may (it must add nothing), then a last decision that says
      // everything before it was handled.
      const topic = `${prefix}zt.decision.log`;
      const sentinel = {
        key: 'one',
        value: JSON.stringify(
          createCloudEvent({
            source: EventSources.decision,
            type: EventTypes.decisionMade,
            subject: 'sentinel',
            data: JSON.parse(decisionJson('sentinel', 0)) as unknown,
          }),
        ),
      };
      for (const message of [...messages, messages[0]]) {
        await producer.send({ topic, messages: [{ ...message, key: 'one' }] });
      }
      await producer.send({ topic, messages: [sentinel] });
    } finally {
      await producer.disconnect();
    }

    const poisonCount = Object.keys(POISON).length;
    const total = BATCHES * PER_BATCH;
    expected.push('sentinel-record');
    await eventually(
      async () => {
        const { rows } = await db.query(`SELECT 1 FROM audit.records WHERE subject = 'sentinel'`);
        return rows.length > 0 ? true : undefined;
      },
      90_000,
      'the last message handled',
    );
    const records = await db.query<{ type: string; event_id: string; payload: Record<string, unknown> }>(
      `SELECT type, event_id, payload FROM audit.records
        WHERE type IN ('com.zt.decision.made', 'com.zt.audit.dead_lettered') ORDER BY seq`,
    );
    expect(
      records.rows.map((r) =>
        r.type === 'com.zt.decision.made'
          ? r.event_id.startsWith('decision-')
            ? r.event_id
            : 'sentinel-record'
          : `dead letter ${batchIds.indexOf(r.payload.message_id as string)}:${r.payload.entry_index as number}`,
      ),
    ).toEqual(expected);
    expect(records.rows.filter((r) => r.type === 'com.zt.decision.made')).toHaveLength(
      total - poisonCount + 1,
    );

    const letters = await db.query<{ message_id: string; entry_index: number; reason: string; raw: Buffer }>(
      `SELECT message_id, entry_index, reason, raw FROM audit.dead_letters ORDER BY id`,
    );
    expect(letters.rows).toHaveLength(poisonCount);
    for (const letter of letters.rows) {
      const poison = POISON[`${batchIds.indexOf(letter.message_id)}:${letter.entry_index}`];
      expect(letter.reason).toBe(poison.reason);
      // Whole: the stored bytes are the entry's JSON text exactly as it was on the wire.
      expect(letter.raw.toString('utf8')).toBe(poison.json);
    }

    const auditor = await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const verdict = await call(audit!.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true });
    const listed = await call<{ items: { reason: string }[] }>(
      audit!.url,
      'GET',
      '/v1/zt-policy/audit/dead-letters',
      { token: auditor },
    );
    expect(listed.body.items.map((l) => l.reason)).toEqual(letters.rows.map((l) => l.reason));
  }, 240_000);
});
