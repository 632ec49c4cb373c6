import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RUNTIME_MODE, RuntimeMode } from '@zt/config';
import { Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { Counter, Registry } from 'prom-client';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { AuditService } from './audit.service';

/**
 * Messages per batch and records per append transaction, by mode. A decision log message holds
 * up to 100 decisions; other messages are one record each. The embedded database (standalone)
 * runs its queries on the event loop that also answers requests, so its transactions are kept
 * short: a long insert there is a pause of every decision (and admission control sheds load
 * while the loop is late). A PostgreSQL server runs them beside it, so bigger transactions cost
 * the service nothing but their wait.
 */
const BATCHING: Record<RuntimeMode, { messages: number; recordsPerTransaction: number }> = {
  standalone: { messages: 5, recordsPerTransaction: 250 },
  distributed: { messages: 20, recordsPerTransaction: 2_000 },
};

/**
 * Feeds the audit trail from the bus: policy and principal changes, decisions, device risk
 * verdicts and administrative actions (model integration changes). One consumer group for all
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
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
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
    const batching = BATCHING[this.mode];
    await this.bus.subscribe({
      topics: [Topics.policyChanges, Topics.decisionLog, Topics.deviceRisk, Topics.adminActions],
      groupId: 'audit',
      fromBeginning: true,
      handler: async (event, delivery) => this.added(await this.audit.recordEvent(event, delivery)),
      batch: {
        handler: async (deliveries) =>
          this.added(await this.audit.recordEvents(deliveries, batching.recordsPerTransaction)),
        maxMessages: batching.messages,
      },
    });
  }
}
