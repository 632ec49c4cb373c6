import { Logger } from '@nestjs/common';
import { createCloudEvent, DevicePostureData, EventTypes, Topics } from '@zt/contracts';
import { EventIntake, InProcessBus } from '@zt/messaging';
import { Registry } from 'prom-client';
import type { DeviceIntelligenceRepository } from '../device-intelligence.repository';
import type { RiskScorer } from '../scoring/risk-scorer';
import { PostureConsumer } from './posture.consumer';

function report(signals: Record<string, unknown>): DevicePostureData {
  return { deviceId: 'laptop-7', signals, observedAt: '2026-12-01T10:00:00.000Z' } as DevicePostureData;
}

describe('PostureConsumer', () => {
  it('neither stores nor scores a report with a lone surrogate in a signal, and handles the next one', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const saved: unknown[] = [];
    const repository = {
      savePosture: (_id: string, signals: unknown) => {
        saved.push(signals);
        return Promise.resolve(true);
      },
      device: () => Promise.resolve({ deviceId: 'laptop-7' }),
    } as unknown as DeviceIntelligenceRepository;
    const scored: unknown[] = [];
    const scorer = {
      score: (device: unknown) => {
        scored.push(device);
        return Promise.resolve(null);
      },
    } as unknown as RiskScorer;
    const bus = new InProcessBus();
    await new PostureConsumer(
      repository,
      scorer,
      bus,
      new EventIntake(new Registry()),
    ).onApplicationBootstrap();
    await bus.publish(
      Topics.devicePosture,
      [{ os_name: 'mac\uD800' }, { os_name: 'macOS' }].map((signals) => ({
        key: 'laptop-7',
        event: createCloudEvent({ source: '/test', type: EventTypes.devicePosture, data: report(signals) }),
      })),
    );
    await bus.idle();
    expect(saved).toEqual([{ os_name: 'macOS' }]);
    expect(scored).toHaveLength(1);
    jest.restoreAllMocks();
  });
});
