import { Module } from '@nestjs/common';
import { DEVICE_STATE_SOURCE } from '@zt/contracts';
import { DeviceIntelligenceController } from './device-intelligence.controller';
import { DeviceIntelligenceHealth } from './device-intelligence.health';
import { DeviceIntelligenceOutboxRelay } from './device-intelligence.outbox';
import { DeviceIntelligenceRepository } from './device-intelligence.repository';
import { IntegrationService } from './integration/integration.service';
import { PostureConsumer } from './posture/posture.consumer';
import { PostureService } from './posture/posture.service';
import { RiskScorer } from './scoring/risk-scorer';
import { SsfModule } from './ssf/ssf.module';

/**
 * device-intelligence: registers the external risk model, takes posture reports, scores them
 * and publishes risk verdicts on `zt.device.risk` for the decision service.
 */
@Module({
  imports: [SsfModule],
  controllers: [DeviceIntelligenceController],
  providers: [
    DeviceIntelligenceRepository,
    DeviceIntelligenceOutboxRelay,
    IntegrationService,
    PostureService,
    PostureConsumer,
    RiskScorer,
    DeviceIntelligenceHealth,
    { provide: DEVICE_STATE_SOURCE, useExisting: DeviceIntelligenceRepository },
  ],
  exports: [DEVICE_STATE_SOURCE],
})
export class DeviceIntelligenceModule {}
