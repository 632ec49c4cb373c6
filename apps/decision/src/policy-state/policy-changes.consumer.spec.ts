import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { AppConfig } from '@zt/config';
import { createCloudEvent, EventTypes, PolicyChangeData, Topics } from '@zt/contracts';
import { EventIntake, InProcessBus, SubscriptionOptions } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { Registry } from 'prom-client';
import { PolicyChangesConsumer } from './policy-changes.consumer';
import type { PolicySnapshotClient } from './policy-snapshot.client';
import { PolicyState } from './policy-state';

/** The in-process bus as Kafka would present the policy topic: three messages already published on partition 0. */
class TopicWithHistory extends InProcessBus {
  subscription: SubscriptionOptions | undefined;
  end = 3n;
  reachable = true;

  override endOffsets(): Promise<Map<number, bigint>> {
    if (!this.reachable) return Promise.reject(new Error('broker unreachable'));
    return Promise.resolve(new Map([[0, this.end]]));
  }

  override subscribe(options: SubscriptionOptions): Promise<void> {
    this.subscription = options;
    return Promise.resolve();
  }
}

function change(revision: number, name: string): PolicyChangeData {
  return {
    policyId: `pol_${revision}`,
    change: 'created',
    version: 1,
    revision,
    format: 'zt',
    document: {
      id: `pol_${revision}`,
      name,
      subjects: ['*'],
      resources: ['*'],
      actions: ['read'],
      effect: 'allow',
    },
    actor: { sub: 'pat', roles: ['policy_admin'] },
  };
}

function consumerOn(
  bus: TopicWithHistory,
  state: PolicyState,
  readiness = new ReadinessRegistry(),
): PolicyChangesConsumer {
  const noSnapshotSource = {
    get: () => {
      throw new Error('no snapshot source');
    },
  } as unknown as ModuleRef;
  const noSnapshot = { fetch: () => Promise.resolve(undefined) } as unknown as PolicySnapshotClient;
  return new PolicyChangesConsumer(
    state,
    noSnapshotSource,
    readiness,
    noSnapshot,
    bus,
    new EventIntake(new Registry()),
    { INSTANCE_ID: 'test' } as AppConfig,
    'distributed',
    new Registry(),
  );
}

function deliverer(bus: TopicWithHistory) {
  return (offset: string, data: PolicyChangeData) =>
    bus.subscription!.handler(createCloudEvent({ source: '/test', type: EventTypes.policyCreated, data }), {
      topic: Topics.policyChanges,
      key: data.policyId,
      partition: 0,
      offset,
    });
}

describe('PolicyChangesConsumer', () => {
  it('skips a refused change, applies the next, and a refused last change still lets the replica catch up', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const bus = new TopicWithHistory();
    const state = new PolicyState();
    const consumer = consumerOn(bus, state);
    await consumer.onApplicationBootstrap();
    const deliver = deliverer(bus);
    await deliver('0', change(1, 'evil\u0000name'));
    await deliver('1', change(2, 'readers'));
    expect(consumer.ready).toBe(false);
    await deliver('2', change(3, 'evil\uD800name'));
    expect(state.policies.all().map((p) => p.id)).toEqual(['pol_2']);
    expect(state.revision).toBe(2);
    expect(consumer.ready).toBe(true);
    consumer.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('says it is behind (not ready) while the broker holds changes it has not applied, and degraded while out of contact', async () => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const bus = new TopicWithHistory();
    const readiness = new ReadinessRegistry();
    const consumer = consumerOn(bus, new PolicyState(), readiness);
    await consumer.onApplicationBootstrap();
    const deliver = deliverer(bus);
    for (const revision of [1, 2, 3]) await deliver(String(revision - 1), change(revision, `p${revision}`));
    const policyState = async () => (await readiness.evaluate()).checks['policy-state'];
    expect(await policyState()).toMatchObject({ ready: true, degraded: false });

    // Two changes wait on the broker; a moment in flight is normal, seconds are not.
    bus.end = 5n;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(consumer.lagMessages).toBe(2);
    expect(consumer.behind).toBe(false);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(consumer.behind).toBe(true);
    expect(await policyState()).toMatchObject({ ready: false, detail: { behind: true, lagMessages: 2 } });
    await deliver('3', change(4, 'p4'));
    await deliver('4', change(5, 'p5'));
    expect(consumer.behind).toBe(false);
    expect(await policyState()).toMatchObject({ ready: true, detail: { revision: 5, lagMessages: 0 } });

    // Out of reach: nobody can know of newer changes, so it keeps serving, and says it is degraded.
    bus.reachable = false;
    await jest.advanceTimersByTimeAsync(11_000);
    expect(await policyState()).toMatchObject({ ready: true, degraded: true, detail: { behind: false } });
    bus.reachable = true;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await policyState()).toMatchObject({ ready: true, degraded: false });
    consumer.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });
});
