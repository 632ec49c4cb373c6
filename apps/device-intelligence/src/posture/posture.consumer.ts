import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CloudEvent, DevicePostureData, EventTypes, Topics } from '@zt/contracts';
import { EventIntake, MessageBus } from '@zt/messaging';
import { DeviceIntelligenceRepository } from '../device-intelligence.repository';
import { RiskScorer } from '../scoring/risk-scorer';

function isPostureData(data: unknown): data is DevicePostureData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    typeof d.deviceId === 'string' &&
    d.deviceId.length > 0 &&
    d.deviceId.length <= 256 &&
    typeof d.signals === 'object' &&
    d.signals !== null &&
    !Array.isArray(d.signals) &&
    typeof d.observedAt === 'string' &&
    !Number.isNaN(Date.parse(d.observedAt))
  );
}

/**
 * Scores every posture report on `zt.device.posture`, whoever published it (our HTTP intake or
 * an agent gateway writing to Kafka directly). One consumer group for all replicas: each report
 * is scored once. A report older than the device's stored one is skipped; a failure to store or
 * publish throws, so the bus delivers the report again (scoring is idempotent).
 */
@Injectable()
export class PostureConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('PostureConsumer');

  constructor(
    private readonly repository: DeviceIntelligenceRepository,
    private readonly scorer: RiskScorer,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Behind the intake check: a refused report is neither stored nor scored, and not retried.
    await this.bus.subscribe(
      this.intake.screened({
        topics: [Topics.devicePosture],
        groupId: 'device-intelligence',
        fromBeginning: true,
        handler: (event) => this.handle(event),
      }),
    );
  }

  private async handle(event: CloudEvent): Promise<void> {
    if (event.type !== EventTypes.devicePosture) return;
    if (!isPostureData(event.data)) {
      this.logger.warn(`skipped malformed posture report ${event.id}`);
      return;
    }
    const { deviceId, signals, observedAt } = event.data;
    if (!(await this.repository.savePosture(deviceId, signals, new Date(observedAt)))) return;
    const device = await this.repository.device(deviceId);
    if (device) await this.scorer.score(device, false, event.correlationid);
  }
}
