import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { AuditService } from './audit.service';

/**
 * Feeds the audit trail from the bus: policy and principal changes, decisions, device risk
 * verdicts and administrative actions (model integration changes). One consumer group for all audit replicas; the offset is
 * committed only after the record is committed, and duplicates are dropped by event id. A record
 * that cannot be stored goes to the dead letters instead of holding back the rest of its message.
 */
@Injectable()
export class AuditEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointService,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      topics: [Topics.policyChanges, Topics.decisionLog, Topics.deviceRisk, Topics.adminActions],
      groupId: 'audit',
      fromBeginning: true,
      handler: async (event, delivery) => {
        if ((await this.audit.recordEvent(event, delivery)) > 0) this.checkpoints.kick();
      },
    });
  }
}
