import { Inject, Injectable, Logger } from '@nestjs/common';
import { createCloudEvent, DecisionLogData, EventSources, EventTypes, Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { Counter, Registry } from 'prom-client';

/**
 * Sends every decision to `zt.decision.log` without holding up the answer. A failed publish is
 * counted and logged, never silent. (Batching, sampling and a bounded buffer come with the full
 * decision service.)
 */
@Injectable()
export class DecisionLogPublisher {
  private readonly logger = new Logger('DecisionLogPublisher');
  private readonly failures: Counter;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Registry) metrics: Registry,
  ) {
    this.failures = new Counter({
      name: 'zt_decision_log_failures_total',
      help: 'Decision log events that could not be published.',
      registers: [metrics],
    });
  }

  /** Queues the log event; returns at once. */
  publish(data: DecisionLogData, correlationId?: string): void {
    const event = createCloudEvent({
      source: EventSources.decision,
      type: EventTypes.decisionMade,
      subject: data.decisionId,
      data,
      correlationId,
    });
    this.bus.publish(Topics.decisionLog, [{ key: data.decisionId, event }]).catch((error: unknown) => {
      this.failures.inc();
      this.logger.error(`decision log ${data.decisionId} not published: ${String(error)}`);
    });
  }
}
