import { RecordedDecisionsController } from './replay/recorded-decisions.controller';
import { RecordedDecisionsService } from './replay/recorded-decisions.service';
import { Module } from '@nestjs/common';
import { AuditEventsConsumer } from './records/audit-events.consumer';
import { AuditController } from './records/audit.controller';
import { AuditRepository } from './records/audit.repository';
import { AuditService } from './records/audit.service';
import { SiemRelay } from './siem/siem.relay';
import { CheckpointService } from './checkpoints/checkpoint.service';
import { RetentionService } from './retention/retention.service';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersRepository } from './dead-letters/dead-letters.repository';
import { DeadLettersService } from './dead-letters/dead-letters.service';

/** audit: the append-only, hash-chained record of every change and decision. */
@Module({
  controllers: [AuditController, DeadLettersController, RecordedDecisionsController],
  providers: [
    AuditRepository,
    AuditService,
    AuditEventsConsumer,
    SiemRelay,
    CheckpointService,
    RetentionService,
    DeadLettersRepository,
    DeadLettersService,
    RecordedDecisionsService,
  ],
})
export class AuditModule {}
