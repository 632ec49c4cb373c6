import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { Counter, Registry } from 'prom-client';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { AuditService } from './audit.service';

/**
 * Messages per batch and records per append transaction. A decision log message holds up to 100
 * decisions; other messages are one record each. Both databases run the queries beside the event
 * loop (a PostgreSQL server, or the embedded one in its own thread), so a big transaction costs the
 * service its wait and the encoding of its rows, and fewer commits is what lets ingest outrun a
 * decision replica (standalone: 250 records per transaction stored about 3,200 records/s, 2,000
 * about 7,700).
 */
const BATCH_MESSAGES = 20;
const RECORDS_PER_TRANSACTION = 2_000;

/**
 * Feeds the audit trail from the bus: policy and principal changes, decisions, device risk
 * verdicts, administrative actions (model integration changes) and the dead letters of the other
 * consumers (`com.zt.bus.dead_lettered`). It records events as they travelled, held to the input
 * rule but not to their schemas: the trail is the evidence of what was on the bus, invalid events
 * included, while the consumers that apply state refuse them. One consumer group for all
 * audit replicas. Messages arrive in batches and are appended many records per transaction: one
 * transaction per record cost more than a decision replica produces. The offset moves only after
 * the batch is committed, duplicates are dropped by event id, and a stopping service stops between
 * batches. A record that cannot be stored goes to the dead letters instead of holding back the
 * rest of its message.
 */
@Injectable()
export class AuditEventsConsumer implements OnApplicationBootstrap {
  private readonly appended: Counter;

  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointService,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Registry) metrics: Registry,
  ) {
    this.appended = new Counter({
      name: 'zt_audit_records_appended_total',
      help: 'Records appended to the audit chain from the bus (dead-letter records included); its rate is the ingest rate.',
      registers: [metrics],
    });
  }

  private added(count: number): void {
    if (count === 0) return;
    this.appended.inc(count);
    this.checkpoints.kick();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      // Dead letters too: what a consumer refused to apply is a fact of the trail, and reaches SIEMs.
      topics: [
        Topics.policyChanges,
        Topics.decisionLog,
        Topics.deviceRisk,
        Topics.adminActions,
        Topics.deadLetters,
      ],
      groupId: 'audit',
      fromBeginning: true,
      handler: async (event, delivery) => this.added(await this.audit.recordEvent(event, delivery)),
      batch: {
        handler: async (deliveries) =>
          this.added(await this.audit.recordEvents(deliveries, RECORDS_PER_TRANSACTION)),
        maxMessages: BATCH_MESSAGES,
      },
    });
  }
}
