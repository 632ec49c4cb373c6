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

  override endOffsets(): Promise<Map<number, bigint>> {
    return Promise.resolve(new Map([[0, 3n]]));
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

function consumerOn(bus: TopicWithHistory, state: PolicyState): PolicyChangesConsumer {
  const noSnapshotSource = {
    get: () => {
      throw new Error('no snapshot source');
    },
  } as unknown as ModuleRef;
  const noSnapshot = { fetch: () => Promise.resolve(undefined) } as unknown as PolicySnapshotClient;
  return new PolicyChangesConsumer(
    state,
    noSnapshotSource,
    new ReadinessRegistry(),
    noSnapshot,
    bus,
    new EventIntake(new Registry()),
    { INSTANCE_ID: 'test' } as AppConfig,
    'distributed',
  );
}

describe('PolicyChangesConsumer', () => {
  it('skips a refused change, applies the next, and a refused last change still lets the replica catch up', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const bus = new TopicWithHistory();
    const state = new PolicyState();
    const consumer = consumerOn(bus, state);
    await consumer.onApplicationBootstrap();
    const deliver = (offset: string, data: PolicyChangeData) =>
      bus.subscription!.handler(createCloudEvent({ source: '/test', type: EventTypes.policyCreated, data }), {
        topic: Topics.policyChanges,
        key: data.policyId,
        partition: 0,
        offset,
      });
    await deliver('0', change(1, 'evil\u0000name'));
    await deliver('1', change(2, 'readers'));
    expect(consumer.ready).toBe(false);
    await deliver('2', change(3, 'evil\uD800name'));
    expect(state.policies.all().map((p) => p.id)).toEqual(['pol_2']);
    expect(state.revision).toBe(2);
    expect(consumer.ready).toBe(true);
    jest.restoreAllMocks();
  });
});
