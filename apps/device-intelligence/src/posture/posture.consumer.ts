import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  CloudEvent,
  DevicePostureEventData,
  EventTypes,
  eventValidators,
  postureFromEvent,
  Topics,
} from '@zt/contracts';
import { EventIntake, MessageBus } from '@zt/messaging';
import { DeviceIntelligenceRepository } from '../device-intelligence.repository';
import { RiskScorer } from '../scoring/risk-scorer';

/**
 * Scores every posture report on `zt.device.posture`, whoever published it (our HTTP intake or
 * an agent gateway writing to Kafka directly). One consumer group for all replicas: each report
 * is scored once. A report older than the device's stored one is skipped; a failure to store or
 * publish throws, so the bus delivers the report again (scoring is idempotent).
 */
@Injectable()
export class PostureConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly repository: DeviceIntelligenceRepository,
    private readonly scorer: RiskScorer,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Behind the intake check, with the HTTP intake's schema and rules: a refused report is
    // neither stored nor scored, and not retried, but dead-lettered.
    await this.bus.subscribe(
      this.intake.screened(
        {
          topics: [Topics.devicePosture],
          groupId: 'device-intelligence',
          fromBeginning: true,
          handler: (event) => this.handle(event),
        },
        { consumer: 'device-intelligence', validators: eventValidators(EventTypes.devicePosture) },
      ),
    );
  }

  /** A posture event the intake validated (snake_case, or camelCase from the previous release). */
  private async handle(event: CloudEvent): Promise<void> {
    const { deviceId, signals, observedAt } = postureFromEvent(event.data as DevicePostureEventData);
    if (!(await this.repository.savePosture(deviceId, signals, new Date(observedAt)))) return;
    const device = await this.repository.device(deviceId);
    if (device) await this.scorer.score(device, false, event.correlationid);
  }
}
