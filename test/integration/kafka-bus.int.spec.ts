import { randomBytes } from 'node:crypto';
import { CloudEvent, createCloudEvent, Topics } from '@zt/contracts';
import { KafkaBus } from '@zt/messaging';
import { Kafka } from 'kafkajs';
import { eventually } from '../support/http';
import { INFRA, testKafkaBus } from '../support/distributed';

describe('KafkaBus on the real broker', () => {
  const prefix = `it-bus-${randomBytes(4).toString('hex')}.`;
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = testKafkaBus('kafka-bus-it', prefix);
    await bus.connect();
  });

  afterAll(async () => {
    await bus?.close();
  });

  it('creates the project topics itself, policy changes compacted on one partition', async () => {
    const admin = new Kafka({ brokers: INFRA.kafkaBrokers.split(','), clientId: 'inspector' }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({
        topics: [
          `${prefix}${Topics.policyChanges}`,
          `${prefix}${Topics.decisionLog}`,
          `${prefix}${Topics.auditEvents}`,
        ],
      });
      const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
      expect(partitions).toEqual({
        [`${prefix}${Topics.policyChanges}`]: 1,
        [`${prefix}${Topics.decisionLog}`]: 3,
        [`${prefix}${Topics.auditEvents}`]: 1,
      });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: `${prefix}${Topics.policyChanges}`, configNames: ['cleanup.policy'] }],
      });
      expect(configs.resources[0].configEntries[0].configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers published CloudEvents with key, correlation id and order intact', async () => {
    const received: { event: CloudEvent; key: string | null }[] = [];
    await bus.subscribe({
      topics: [Topics.policyChanges],
      groupId: `${prefix}reader`,
      fromBeginning: true,
      handler: (event, info) => {
        received.push({ event, key: info.key });
        return Promise.resolve();
      },
    });
    const events = [1, 2, 3].map((n) =>
      createCloudEvent({
        source: '/it',
        type: 'com.zt.test',
        subject: `p${n}`,
        data: { n },
        correlationId: `c${n}`,
      }),
    );
    await bus.publish(
      Topics.policyChanges,
      events.map((event) => ({ key: String(event.subject), event })),
    );
    await eventually(() => (received.length >= 3 ? true : undefined), 30_000, 'three events');
    expect(received.map((r) => r.event)).toEqual(events);
    expect(received.map((r) => r.key)).toEqual(['p1', 'p2', 'p3']);
  });

  it('redelivers an event whose handler failed instead of skipping it', async () => {
    let attempts = 0;
    const delivered: string[] = [];
    await bus.subscribe({
      topics: [Topics.decisionLog],
      groupId: `${prefix}flaky`,
      fromBeginning: true,
      handler: (event) => {
        attempts += 1;
        if (attempts === 1) return Promise.reject(new Error('database down'));
        delivered.push(event.id);
        return Promise.resolve();
      },
    });
    const event = createCloudEvent({ source: '/it', type: 'com.zt.test', data: {} });
    await bus.publish(Topics.decisionLog, [{ key: 'k', event }]);
    await eventually(() => (delivered.includes(event.id) ? true : undefined), 60_000, 'the redelivery');
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});
