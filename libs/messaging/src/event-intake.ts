import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, InputProblem, inputProblems } from '@zt/contracts';
import { Counter, Registry } from 'prom-client';
import type { DeliveryInfo, SubscriptionOptions } from './message-bus';

/** Why a delivered message was not handed to its consumer: the `reason` label of the metric. */
export type RefusalReason = 'not_cloudevent' | 'unsafe_input';

const REASONS: readonly RefusalReason[] = ['not_cloudevent', 'unsafe_input'];

/**
 * What the one rule for untrusted input refuses in an event read from the bus: in its envelope
 * (`/id`, `/source`, ...) and in its data (`/data/...`, its depth counted from the data as a
 * body's is from its root, so the envelope does not cost the payload a level).
 */
export function eventProblems(event: CloudEvent): InputProblem[] {
  const { data, ...envelope } = event;
  return [...inputProblems(envelope), ...inputProblems(data, '/data')];
}

// Refused text is never written as it came: JSON escapes control characters and lone surrogates,
// and a long member name (a pointer holds it) is clipped.
function printable(text: string): string {
  return JSON.stringify(text.length > 256 ? `${text.slice(0, 256)}…` : text);
}

function whereFrom(info: DeliveryInfo): string {
  return info.partition === undefined ? info.topic : `${info.topic}[${info.partition}]@${info.offset}`;
}

/**
 * The consumer-side intake check for events read from the bus, for consumers that apply state
 * (policy changes, device posture and risk): an event that fails {@link eventProblems} is not
 * handed to the consumer. It is logged once (topic, partition, offset, event id and the problems,
 * escaped), counted in `zt_bus_events_refused_total{topic,reason}`, and acknowledged, so the
 * consumer goes on with the next event instead of retrying it forever. Consumers that must keep
 * refused events (the audit trail, which dead-letters them) do not use it.
 */
@Injectable()
export class EventIntake {
  private readonly logger = new Logger('EventIntake');
  private readonly refusals: Counter<'topic' | 'reason'>;

  constructor(@Inject(Registry) metrics: Registry) {
    this.refusals = new Counter({
      name: 'zt_bus_events_refused_total',
      help: 'Events read from the bus and not applied: not a CloudEvent, or refused by the input rule.',
      labelNames: ['topic', 'reason'],
      registers: [metrics],
    });
  }

  /**
   * The subscription with its handler behind the intake check. A refused event is reported to
   * `onSkipped` like a message that is not a CloudEvent, so offset tracking still sees it pass.
   */
  screened(options: SubscriptionOptions): SubscriptionOptions {
    const { handler, onSkipped } = options;
    // Every series from 0, so `increase()` sees the first refusal of a topic.
    for (const topic of options.topics) {
      for (const reason of REASONS) this.refusals.labels(topic, reason).inc(0);
    }
    return {
      ...options,
      handler: (event, info) => {
        const problems = eventProblems(event);
        if (problems.length === 0) return handler(event, info);
        this.refuse(event, info, problems);
        onSkipped?.(info);
        return Promise.resolve();
      },
      onSkipped: (info) => {
        this.count(info, 'not_cloudevent');
        onSkipped?.(info);
      },
    };
  }

  private count(info: DeliveryInfo, reason: RefusalReason): void {
    this.refusals.inc({ topic: info.topic, reason });
  }

  private refuse(event: CloudEvent, info: DeliveryInfo, problems: InputProblem[]): void {
    this.count(info, 'unsafe_input');
    const listed = problems.map((p) => `${printable(p.pointer)} ${p.detail}`).join('; ');
    this.logger.warn(
      `refused event ${printable(event.id)} (${printable(event.type)}) on ${whereFrom(info)}: ${listed}`,
    );
  }
}
