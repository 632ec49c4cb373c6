import { Logger } from '@nestjs/common';
import { createCloudEvent, DevicePostureData, EventTypes, Topics } from '@zt/contracts';
import { EventIntake, InProcessBus } from '@zt/messaging';
import { Registry } from 'prom-client';
import { DeviceStateConsumer } from './device-state.consumer';
import type { DeviceStateStore } from './device-state.store';

function posture(deviceId: string): DevicePostureData {
  return { deviceId, signals: { managed: true }, observedAt: '2026-12-01T10:00:00.000Z' };
}

describe('DeviceStateConsumer', () => {
  it('refuses a posture event with a NUL in the device id and stores the next one', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const stored: string[] = [];
    const store = {
      putPosture: (p: DevicePostureData) => {
        stored.push(p.deviceId);
        return Promise.resolve();
      },
      putRisk: () => Promise.resolve(),
    } as unknown as DeviceStateStore;
    const bus = new InProcessBus();
    await new DeviceStateConsumer(store, bus, new EventIntake(new Registry())).onApplicationBootstrap();
    await bus.publish(
      Topics.devicePosture,
      ['laptop\u0000-7', 'laptop-8'].map((id) => ({
        key: id,
        event: createCloudEvent({ source: '/test', type: EventTypes.devicePosture, data: posture(id) }),
      })),
    );
    await bus.idle();
    expect(stored).toEqual(['laptop-8']);
    jest.restoreAllMocks();
  });
});
