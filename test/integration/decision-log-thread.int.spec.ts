import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CloudEvent, createCloudEvent, DecisionBatchData, Topics } from '@zt/contracts';
import { KafkaBus, KafkaProducerThread } from '@zt/messaging';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { call, eventually } from '../support/http';
import { INFRA, ServiceProcess, startServiceProcess, testKafkaBus } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

// The compiled worker (test:integration builds first): jest runs the TypeScript sources, which
// have no worker file of their own to start.
const WORKER_FILE = join(
  __dirname,
  '..',
  '..',
  'dist',
  'libs',
  'messaging',
  'src',
  'kafka-producer.worker.js',
);

interface Delivered {
  event: CloudEvent;
  key: string | null;
  headers: Record<string, string>;
}

/** Reads a topic from its beginning into `delivered`, in offset order per partition. */
async function readTopic(topic: string, delivered: Delivered[]): Promise<Consumer> {
  const kafka = new Kafka({
    brokers: INFRA.kafkaBrokers.split(','),
    clientId: 'log-reader',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      const event = JSON.parse(message.value?.toString() ?? '') as CloudEvent;
      delivered.push({ event, key: message.key?.toString() ?? null, headers });
      return Promise.resolve();
    },
  });
  return consumer;
}

describe('Kafka producer thread on the real broker', () => {
  const prefix = `it-thread-${randomBytes(4).toString('hex')}.`;
  let bus: KafkaBus;
  let reader: Consumer | undefined;

  beforeAll(async () => {
    bus = testKafkaBus('producer-thread-it', prefix);
    await bus.connect(); // creates the topics; the thread's producer does not
  });

  afterAll(async () => {
    await reader?.disconnect();
    await bus?.close();
  });

  it('delivers every message of every send, in order per key, with its headers', async () => {
    const thread = new KafkaProducerThread(
      { brokers: INFRA.kafkaBrokers.split(','), clientId: 'producer-thread-it', topicPrefix: prefix },
      {},
      WORKER_FILE,
    );
    const events = Array.from({ length: 30 }, (_, n) =>
      createCloudEvent({ source: '/it', type: 'com.zt.test', data: { n }, correlationId: `corr-${n}` }),
    );
    for (let i = 0; i < events.length; i += 10) {
      await thread.publish(
        Topics.decisionLog,
        events.slice(i, i + 10).map((event) => ({ key: 'one-key', event })),
      );
    }
    await thread.close();
    const delivered: Delivered[] = [];
    reader = await readTopic(`${prefix}${Topics.decisionLog}`, delivered);
    await eventually(() => (delivered.length >= events.length ? true : undefined), 60_000, 'every event');
    expect(delivered.map((d) => d.event)).toEqual(events);
    expect(delivered.every((d) => d.key === 'one-key')).toBe(true);
    expect(delivered[7].headers).toEqual({
      'content-type': 'application/cloudevents+json; charset=UTF-8',
      'x-correlation-id': 'corr-7',
    });
  });
});

describe('decision service: its decision log goes through the producer thread, and nothing is left behind', () => {
  const prefix = `it-dlog-${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let decision: ServiceProcess | undefined;
  let reader: Consumer | undefined;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    decision = await startServiceProcess('decision', {
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      REDIS_URL: INFRA.redisUrl,
      TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}:`,
      // One partition: the log's order is the order of the decisions.
      KAFKA_PARTITIONS: '1',
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
      // Full batches are published at once; the rest by the shutdown's flush (or a minute's timer).
      DECISION_LOG_BATCH: '100',
      DECISION_LOG_FLUSH_MS: '60000',
    });
  }, 120_000);

  afterAll(async () => {
    await reader?.disconnect();
    await decision?.stop();
    await issuer?.close();
  }, 60_000);

  it('publishes full batches while running and the rest at shutdown, every decision in order', async () => {
    const pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const ids: string[] = [];
    for (let n = 0; n < 250; n++) {
      const r = await call<{ decision_id: string }>(decision!.url, 'POST', '/v1/zt-policy/decisions', {
        token: pep,
        body: { subject: { id: 'alice@company.com' }, action: 'read', resource: { id: `doc.${n}` } },
      });
      expect(r.status).toBe(200);
      ids.push(r.body.decision_id);
    }
    type LogDetail = { buffered: number; published: number; threadRestarts: number; publishesFrom: string };
    const detail = await eventually(
      async () => {
        const ready = await call<{ checks: { 'decision-log': { detail: LogDetail } } }>(
          decision!.url,
          'GET',
          '/readyz',
        );
        const log = ready.body.checks['decision-log'].detail;
        return log.published >= 200 ? log : undefined;
      },
      60_000,
      'two full batches published',
    );
    expect(detail.published + detail.buffered).toBe(250);
    expect(detail).toMatchObject({ threadRestarts: 0, publishesFrom: 'worker-thread' });

    await decision!.stop(); // SIGTERM: the last 50 go out with the shutdown's flush
    const delivered: Delivered[] = [];
    reader = await readTopic(`${prefix}${Topics.decisionLog}`, delivered);
    const logged = await eventually(
      () => {
        const all = delivered.flatMap((d) => (d.event.data as DecisionBatchData).decisions);
        return all.length >= ids.length ? all : undefined;
      },
      60_000,
      'every decision in the log',
    );
    expect(logged.map((d) => d.decisionId)).toEqual(ids);
  }, 240_000);
});
