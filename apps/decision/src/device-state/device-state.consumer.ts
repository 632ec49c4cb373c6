import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, DevicePostureData, DeviceRiskData, EventTypes, jsonObject, Topics } from '@zt/contracts';
import { EventIntake, MessageBus } from '@zt/messaging';
import { DeviceStateStore } from './device-state.store';

function isObject(value: unknown): value is Record<string, unknown> {
  return jsonObject(value) !== undefined;
}

function isPosture(data: unknown): data is DevicePostureData {
  return (
    isObject(data) &&
    typeof data.deviceId === 'string' &&
    isObject(data.signals) &&
    typeof data.observedAt === 'string' &&
    !Number.isNaN(Date.parse(data.observedAt))
  );
}

function isRisk(data: unknown): data is DeviceRiskData {
  return (
    isObject(data) &&
    typeof data.deviceId === 'string' &&
    (data.score === null || (typeof data.score === 'number' && Number.isFinite(data.score))) &&
    typeof data.threshold === 'number' &&
    typeof data.restricted === 'boolean' &&
    typeof data.model === 'string' &&
    Array.isArray(data.explanation) &&
    typeof data.observedAt === 'string' &&
    typeof data.at === 'string'
  );
}

/**
 * Keeps {@link DeviceStateStore} current from `zt.device.posture` and `zt.device.risk`. The store
 * is shared (Redis), so all replicas form one consumer group and each event is stored once.
 */
@Injectable()
export class DeviceStateConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeviceStateConsumer');

  constructor(
    private readonly store: DeviceStateStore,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Behind the intake check: a refused posture or verdict never reaches the shared store.
    await this.bus.subscribe(
      this.intake.screened({
        topics: [Topics.devicePosture, Topics.deviceRisk],
        groupId: 'decision-device-state',
        fromBeginning: true,
        handler: (event) => this.handle(event),
      }),
    );
  }

  private async handle(event: CloudEvent): Promise<void> {
    if (event.type === EventTypes.devicePosture) {
      if (isPosture(event.data)) await this.store.putPosture(event.data);
      else this.logger.warn(`skipped malformed posture ${event.id}`);
    } else if (event.type === EventTypes.deviceRisk) {
      if (isRisk(event.data)) await this.store.putRisk(event.data);
      else this.logger.warn(`skipped malformed risk verdict ${event.id}`);
    }
  }
}
