import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import {
  CloudEvent,
  DEVICE_STATE_SOURCE,
  DevicePostureEventData,
  DeviceRiskData,
  DeviceStateSource,
  EventTypes,
  eventValidators,
  postureFromEvent,
  TopicName,
  Topics,
} from '@zt/contracts';
import { DeliveryInfo, EventIntake, MessageBus, StreamPosition } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { DeviceStateStore } from './device-state.store';

const DEVICE_TOPICS: TopicName[] = [Topics.devicePosture, Topics.deviceRisk];

// What this consumer applies, with the schemas and rules of `/asyncapi.json` (posture: the HTTP
// intake's own, future-time limit included; camelCase posture of the previous release too).
const ACCEPTS = {
  consumer: 'decision',
  validators: eventValidators(EventTypes.devicePosture, EventTypes.deviceRisk),
};

/**
 * Keeps this replica's {@link DeviceStateStore} current from `zt.device.posture` and
 * `zt.device.risk`. Every replica reads both topics whole, under a group of its own, from their
 * beginning: they are compacted by device id, so they hold every device's latest posture and
 * verdict. The store counts as loaded once everything published before the replica started has
 * been read; standalone, where the bus keeps no history, it loads device intelligence's stored
 * state in the same process instead.
 */
@Injectable()
export class DeviceStateConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeviceStateConsumer');
  private readonly positions = new Map<TopicName, StreamPosition>(
    DEVICE_TOPICS.map((topic) => [topic, new StreamPosition()]),
  );

  constructor(
    private readonly store: DeviceStateStore,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
    private readonly readiness: ReadinessRegistry,
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Not ready before every device is known: a device this replica has not read yet may be a
    // restricted one, and requests naming it are refused meanwhile (decisions.service.ts).
    this.readiness.register('device-state', () =>
      Promise.resolve({
        ready: this.store.loaded,
        detail: { devices: this.store.size, loaded: this.store.loaded },
      }),
    );
    for (const topic of DEVICE_TOPICS) this.position(topic).expect(await this.bus.endOffsets(topic));
    // Behind the intake check: a refused posture or verdict never reaches the store (it is
    // dead-lettered), yet counts as read towards catching up.
    await this.bus.subscribe(
      this.intake.screened(
        {
          topics: DEVICE_TOPICS,
          // A fresh group per start: the replica's memory is gone, so it re-reads the whole topics.
          groupId: `decision-devices-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`,
          fromBeginning: this.mode === 'distributed',
          privateGroup: true,
          handler: (event, info) => this.handle(event, info),
          onSkipped: (info) => this.passed(info),
        },
        ACCEPTS,
      ),
    );
    const source = this.stateSource();
    if (source) {
      const states = await source.deviceStates();
      for (const { posture, risk } of states) {
        this.store.putPosture(posture);
        if (risk) this.store.putRisk(risk);
      }
      this.store.markLoaded();
    }
    this.markLoadedWhenCaughtUp();
    this.logger.log(
      `device state of ${this.store.size} devices${this.store.loaded ? '' : '; reading the device topics'}`,
    );
  }

  /** Applies an event the intake validated against its type's schema. */
  handle(event: CloudEvent, info: DeliveryInfo): Promise<void> {
    if (event.type === EventTypes.devicePosture) {
      this.store.putPosture(postureFromEvent(event.data as DevicePostureEventData));
    } else if (event.type === EventTypes.deviceRisk) {
      this.store.putRisk(event.data as DeviceRiskData);
    }
    this.passed(info);
    return Promise.resolve();
  }

  private passed(info: DeliveryInfo): void {
    this.position(info.topic).pass(info);
    this.markLoadedWhenCaughtUp();
  }

  private markLoadedWhenCaughtUp(): void {
    if (this.store.loaded) return;
    if ([...this.positions.values()].every((p) => p.caughtUp())) {
      this.store.markLoaded();
      this.logger.log(`read the device topics: ${this.store.size} devices`);
    }
  }

  private position(topic: TopicName): StreamPosition {
    const position = this.positions.get(topic);
    if (!position) throw new Error(`not a device topic: ${topic}`);
    return position;
  }

  /** Device intelligence's in-process state, present only when both run in one process. */
  private stateSource(): DeviceStateSource | undefined {
    try {
      return this.moduleRef.get<DeviceStateSource>(DEVICE_STATE_SOURCE, { strict: false });
    } catch {
      return undefined;
    }
  }
}
