import { CloudEvent, createCloudEvent, Topics } from '@zt/contracts';
import { InProcessBus } from './in-process-bus';

function event(n: number): CloudEvent<{ n: number }> {
  return createCloudEvent({ source: '/test', type: 'com.zt.test', data: { n } });
}

describe('InProcessBus', () => {
  it('delivers every message to every group subscribed to its topic, in publish order', async () => {
    const bus = new InProcessBus();
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (const group of ['a', 'b']) {
      await bus.subscribe({
        topics: [Topics.policyChanges],
        groupId: group,
        fromBeginning: false,
        handler: (e) => {
          seen[group].push((e.data as { n: number }).n);
          return Promise.resolve();
        },
      });
    }
    await bus.publish(
      Topics.policyChanges,
      [1, 2, 3].map((n) => ({ key: 'k', event: event(n) })),
    );
    await bus.publish(Topics.decisionLog, [{ key: 'k', event: event(99) }]);
    await bus.idle();
    expect(seen).toEqual({ a: [1, 2, 3], b: [1, 2, 3] });
  });

  it('hands handlers a copy, never the publisher object', async () => {
    const bus = new InProcessBus();
    const received: CloudEvent[] = [];
    await bus.subscribe({
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: false,
      handler: (e) => {
        received.push(e);
        return Promise.resolve();
      },
    });
    const original = event(1);
    await bus.publish(Topics.decisionLog, [{ key: 'k', event: original }]);
    await bus.idle();
    expect(received[0]).toEqual(original);
    expect(received[0]).not.toBe(original);
  });

  it('redelivers a message whose handler failed (at-least-once)', async () => {
    const bus = new InProcessBus();
    let attempts = 0;
    await bus.subscribe({
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: false,
      handler: () => (++attempts < 3 ? Promise.reject(new Error('database busy')) : Promise.resolve()),
    });
    await bus.publish(Topics.decisionLog, [{ key: 'k', event: event(1) }]);
    await bus.idle();
    expect(attempts).toBe(3);
  });

  it('hands a batch consumer what queued up, in order, at most maxMessages at a time, and retries a failed batch whole', async () => {
    const bus = new InProcessBus();
    const batches: number[][] = [];
    let failures = 1;
    await bus.subscribe({
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: false,
      handler: () => Promise.reject(new Error('one by one is not used with batch')),
      batch: {
        maxMessages: 3,
        handler: (deliveries) => {
          const ns = deliveries.map((d) => (d.event.data as { n: number }).n);
          if (failures-- > 0) return Promise.reject(new Error('database busy'));
          batches.push(ns);
          return Promise.resolve();
        },
      },
    });
    await bus.publish(
      Topics.decisionLog,
      [1, 2, 3, 4, 5, 6, 7].map((n) => ({ key: 'k', event: event(n) })),
    );
    await bus.idle();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('refuses a second subscription of one group and publishing after close', async () => {
    const bus = new InProcessBus();
    const options = {
      topics: [Topics.decisionLog],
      groupId: 'g',
      fromBeginning: false,
      handler: () => Promise.resolve(),
    };
    await bus.subscribe(options);
    await expect(bus.subscribe(options)).rejects.toThrow(/already subscribed/);
    await bus.close();
    await expect(bus.publish(Topics.decisionLog, [{ key: 'k', event: event(1) }])).rejects.toThrow(/closed/);
    expect(await bus.isReady()).toBe(false);
  });
});
