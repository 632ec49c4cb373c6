import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { AppConfig } from '@zt/config';
import {
  createCloudEvent,
  DEVICE_STATE_SOURCE,
  DevicePostureData,
  DeviceRiskData,
  EventTypes,
  StoredDeviceState,
  Topics,
} from '@zt/contracts';
import { EventIntake, InProcessBus } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { Registry } from 'prom-client';
import { DeviceStateConsumer } from './device-state.consumer';
import { DeviceStateStore } from './device-state.store';

const CONFIG = { INSTANCE_ID: 'test', DEVICE_STATE_TTL_SECONDS: 86_400 } as AppConfig;

function posture(deviceId: string): DevicePostureData {
  return { deviceId, signals: { managed: true }, observedAt: new Date().toISOString() };
}

function verdict(deviceId: string, restricted: boolean): DeviceRiskData {
  const at = new Date().toISOString();
  return {
    deviceId,
    score: restricted ? 0.95 : 0.1,
    threshold: 0.7,
    restricted,
    model: 'test',
    explanation: [],
    observedAt: at,
    at,
  };
}

/** A module reference holding the given device state source, or none. */
function moduleWith(source?: { deviceStates(): Promise<StoredDeviceState[]> }): ModuleRef {
  return {
    get: (token: unknown) => {
      if (token === DEVICE_STATE_SOURCE && source) return source;
      throw new Error('not provided');
    },
  } as unknown as ModuleRef;
}

async function started(source?: { deviceStates(): Promise<StoredDeviceState[]> }) {
  const store = new DeviceStateStore(CONFIG);
  const bus = new InProcessBus();
  const readiness = new ReadinessRegistry();
  await new DeviceStateConsumer(
    store,
    bus,
    new EventIntake(new Registry()),
    readiness,
    moduleWith(source),
    CONFIG,
    'standalone',
  ).onApplicationBootstrap();
  return { store, bus, readiness };
}

describe('DeviceStateConsumer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('refuses a posture event with a NUL in the device id and stores the next one', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { store, bus } = await started();
    await bus.publish(
      Topics.devicePosture,
      ['laptop\u0000-7', 'laptop-8'].map((id) => ({
        key: id,
        event: createCloudEvent({ source: '/test', type: EventTypes.devicePosture, data: posture(id) }),
      })),
    );
    await bus.idle();
    expect(store.get('laptop\u0000-7')).toBeUndefined();
    expect(store.get('laptop-8')?.posture?.deviceId).toBe('laptop-8');
  });

  it("starts from device intelligence's stored state in one process, so a restart keeps a restriction", async () => {
    const { store, readiness } = await started({
      deviceStates: () =>
        Promise.resolve([{ posture: posture('laptop-9'), risk: verdict('laptop-9', true) }]),
    });
    expect(store.loaded).toBe(true);
    expect(store.get('laptop-9')?.risk?.restricted).toBe(true);
    expect((await readiness.evaluate()).checks['device-state']).toEqual({
      ready: true,
      detail: { devices: 1, loaded: true },
    });
  });

  it('lets a newer verdict from the bus lift a stored restriction, and an older one not', async () => {
    const old = verdict('laptop-9', true);
    const { store, bus } = await started({
      deviceStates: () => Promise.resolve([{ posture: posture('laptop-9'), risk: old }]),
    });
    const stale = { ...verdict('laptop-9', false), observedAt: '2020-01-01T00:00:00.000Z' };
    await bus.publish(Topics.deviceRisk, [
      {
        key: 'laptop-9',
        event: createCloudEvent({ source: '/t', type: EventTypes.deviceRisk, data: stale }),
      },
    ]);
    await bus.idle();
    expect(store.get('laptop-9')?.risk?.restricted).toBe(true);
    const lifted = { ...verdict('laptop-9', false), observedAt: new Date(Date.now() + 1000).toISOString() };
    await bus.publish(Topics.deviceRisk, [
      {
        key: 'laptop-9',
        event: createCloudEvent({ source: '/t', type: EventTypes.deviceRisk, data: lifted }),
      },
    ]);
    await bus.idle();
    expect(store.get('laptop-9')?.risk?.restricted).toBe(false);
  });

  it('stores snake_case posture as the HTTP intake takes it, and refuses what that intake would refuse', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { store, bus } = await started();
    const now = new Date().toISOString();
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const reports = [
      { device_id: 'laptop-1', signals: { managed: true }, observed_at: now },
      // Future-dated: would shadow every honest report until its time came.
      { device_id: 'laptop-2', signals: {}, observed_at: ahead },
      { device_id: 'laptop-3', signals: { network_type: 'moon' }, observed_at: now },
    ];
    await bus.publish(
      Topics.devicePosture,
      reports.map((data) => ({
        key: data.device_id,
        event: createCloudEvent({ source: '/test', type: EventTypes.devicePosture, data }),
      })),
    );
    await bus.idle();
    expect(store.get('laptop-1')?.posture).toEqual({
      deviceId: 'laptop-1',
      signals: { managed: true },
      observedAt: now,
    });
    expect(store.get('laptop-2')).toBeUndefined();
    expect(store.get('laptop-3')).toBeUndefined();
  });

  it('refuses a risk verdict outside its schema (a score above 1) and keeps the last valid one', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { store, bus } = await started();
    const bad = { ...verdict('laptop-4', false), score: 7 };
    await bus.publish(Topics.deviceRisk, [
      {
        key: 'laptop-4',
        event: createCloudEvent({
          source: '/t',
          type: EventTypes.deviceRisk,
          data: verdict('laptop-4', true),
        }),
      },
      { key: 'laptop-4', event: createCloudEvent({ source: '/t', type: EventTypes.deviceRisk, data: bad }) },
    ]);
    await bus.idle();
    expect(store.get('laptop-4')?.risk?.restricted).toBe(true);
  });
});
