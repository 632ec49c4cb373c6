import { Logger } from '@nestjs/common';
import { createCloudEvent, TopicName, Topics } from '@zt/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { eachBatchOf } from './kafka-batch';
import type { Delivery, DeliveryInfo } from './message-bus';

const message = (offset: number, value: string): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from('k'), value: Buffer.from(value) }) as unknown as KafkaMessage;
const event = (n: number) =>
  JSON.stringify(createCloudEvent({ source: '/test', type: 'com.zt.test', data: { n } }));

/** A fetched batch of messages at offsets 10.. and what the consumer did with it. */
function fetched(values: string[], running: () => boolean = () => true) {
  const resolved: string[] = [];
  const payload = {
    batch: { topic: 'pfx.zt.decision.log', partition: 2, messages: values.map((v, i) => message(10 + i, v)) },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: () => Promise.resolve(),
    commitOffsetsIfNecessary: () => Promise.resolve(),
    isRunning: running,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

const unprefixed = (topic: string) => topic.replace('pfx.', '') as TopicName;
const quiet = { warn: () => undefined } as unknown as Logger;

describe('Kafka batch delivery', () => {
  it('hands messages over maxMessages at a time and moves the offset past each slice once handled', async () => {
    const handled: Delivery[][] = [];
    const { payload, resolved } = fetched([1, 2, 3, 4, 5].map(event));
    const options = {
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
      batch: {
        maxMessages: 2,
        handler: (deliveries: Delivery[]) => {
          handled.push(deliveries);
          return Promise.resolve();
        },
      },
    };
    await eachBatchOf(options, unprefixed, quiet)(payload);
    expect(handled.map((b) => b.map((d) => (d.event.data as { n: number }).n))).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
    expect(handled[0][0].info).toEqual({ topic: Topics.decisionLog, key: 'k', partition: 2, offset: '10' });
    expect(resolved).toEqual(['11', '13', '14']);
  });

  it('does not move the offset past a slice whose handler failed', async () => {
    const { payload, resolved } = fetched([1, 2, 3].map(event));
    const failure = new Error('database down');
    let calls = 0;
    const options = {
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
      batch: { maxMessages: 2, handler: () => (++calls === 2 ? Promise.reject(failure) : Promise.resolve()) },
    };
    await expect(eachBatchOf(options, unprefixed, quiet)(payload)).rejects.toBe(failure);
    expect(resolved).toEqual(['11']);
  });

  it('stops between slices when the consumer is stopping, leaving the rest unresolved for redelivery', async () => {
    let running = true;
    const { payload, resolved } = fetched([1, 2, 3, 4].map(event), () => running);
    const options = {
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
      batch: {
        maxMessages: 2,
        handler: () => {
          running = false; // SIGTERM arrives while the first slice is being stored
          return Promise.resolve();
        },
      },
    };
    await eachBatchOf(options, unprefixed, quiet)(payload);
    expect(resolved).toEqual(['11']);
  });

  it('skips and reports a message that is not a CloudEvent, after the slice around it is handled', async () => {
    const order: string[] = [];
    const { payload, resolved } = fetched([event(1), 'not json', event(3)]);
    const options = {
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
      onSkipped: (info: DeliveryInfo) => order.push(`skipped ${info.offset}`),
      batch: {
        maxMessages: 10,
        handler: (deliveries: Delivery[]) => {
          order.push(`handled ${deliveries.map((d) => d.info.offset).join(',')}`);
          return Promise.resolve();
        },
      },
    };
    await eachBatchOf(options, unprefixed, quiet)(payload);
    expect(order).toEqual(['handled 10,12', 'skipped 11']);
    expect(resolved).toEqual(['12']);
  });
});
