import { Logger } from '@nestjs/common';
import { createCloudEvent, EventTypes, Topics } from '@zt/contracts';
import { EventIntake, InProcessBus } from '@zt/messaging';
import { Registry } from 'prom-client';
import type { DeviceIntelligenceRepository } from '../device-intelligence.repository';
import type { RiskScorer } from '../scoring/risk-scorer';
import { PostureConsumer } from './posture.consumer';

const OBSERVED = '2026-12-01T10:00:00.000Z';

async function consume(reports: unknown[]) {
  const saved: { id: string; signals: unknown; observedAt: string }[] = [];
  const repository = {
    savePosture: (id: string, signals: unknown, observedAt: Date) => {
      saved.push({ id, signals, observedAt: observedAt.toISOString() });
      return Promise.resolve(true);
    },
    device: (id: string) => Promise.resolve({ deviceId: id }),
  } as unknown as DeviceIntelligenceRepository;
  const scored: unknown[] = [];
  const scorer = {
    score: (device: unknown) => {
      scored.push(device);
      return Promise.resolve(null);
    },
  } as unknown as RiskScorer;
  const bus = new InProcessBus();
  const deadLetters: unknown[] = [];
  await bus.subscribe({
    topics: [Topics.deadLetters],
    groupId: 'audit',
    fromBeginning: false,
    handler: (e) => {
      deadLetters.push(e.data);
      return Promise.resolve();
    },
  });
  await new PostureConsumer(
    repository,
    scorer,
    bus,
    new EventIntake(new Registry(), bus),
  ).onApplicationBootstrap();
  await bus.publish(
    Topics.devicePosture,
    reports.map((data) => ({
      key: 'laptop-7',
      event: createCloudEvent({ source: '/test', type: EventTypes.devicePosture, data }),
    })),
  );
  await bus.idle();
  await bus.idle();
  return { saved, scored, deadLetters };
}

describe('PostureConsumer', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('stores and scores a snake_case report, as the HTTP body and /asyncapi.json have it', async () => {
    const { saved, scored } = await consume([
      { device_id: 'laptop-7', signals: { os_name: 'macOS' }, observed_at: OBSERVED },
    ]);
    expect(saved).toEqual([{ id: 'laptop-7', signals: { os_name: 'macOS' }, observedAt: OBSERVED }]);
    expect(scored).toHaveLength(1);
  });

  it('still reads the camelCase report of the previous release (the topic is compacted)', async () => {
    const { saved } = await consume([
      { deviceId: 'laptop-7', signals: { managed: true }, observedAt: OBSERVED },
    ]);
    expect(saved).toEqual([{ id: 'laptop-7', signals: { managed: true }, observedAt: OBSERVED }]);
  });

  it('neither stores nor scores what the HTTP intake would refuse, dead-letters it, and handles the next one', async () => {
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const { saved, scored, deadLetters } = await consume([
      { device_id: 'laptop-7', signals: { os_name: 'mac\uD800' }, observed_at: OBSERVED },
      { device_id: 'laptop-7', signals: { patch_age_days: 99_999 }, observed_at: OBSERVED },
      { device_id: 'laptop-7', signals: {}, observed_at: ahead },
      { device_id: 'laptop-7', signals: {} },
      { device_id: 'laptop-7', signals: { os_name: 'macOS' }, observed_at: OBSERVED },
    ]);
    expect(saved).toEqual([{ id: 'laptop-7', signals: { os_name: 'macOS' }, observedAt: OBSERVED }]);
    expect(scored).toHaveLength(1);
    expect(deadLetters.map((d) => (d as { reason: string }).reason)).toEqual([
      'unsafe_input',
      'invalid',
      'invalid',
      'invalid',
    ]);
  });
});
