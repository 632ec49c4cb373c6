import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CloudEvent, EventValidator, InputProblem, inputProblems } from '@zt/contracts';
import { Counter, Registry } from 'prom-client';
import { publishWithin } from './bounded-publish';
import { busDeadLetter, DeadLetterCause, DEAD_LETTER_TOPIC, escapedText } from './bus-dead-letter';
import { DeliveryInfo, MessageBus, SubscriptionOptions } from './message-bus';

/** Why a delivered message was not handed to its consumer: the `reason` label of the metric. */
export type RefusalReason = 'not_cloudevent' | DeadLetterCause;

const REASONS: readonly RefusalReason[] = ['not_cloudevent', 'unsafe_input', 'invalid'];

// A dead letter is sent within this, so a broker outage delays the consumer, never stalls it.
const DEAD_LETTER_TIMEOUT_MS = 5_000;

/**
 * What a consumer accepts: the event types it applies, each with the validator of its schema and
 * rules (`eventValidators(...)` from @zt/contracts: the schemas of `/asyncapi.json`, the HTTP
 * intake's bounds and rules).
 */
export interface EventAcceptance {
  /** The consuming service, as dead letters name it (the same on every replica). */
  consumer: string;
  validators: ReadonlyMap<string, EventValidator>;
}

/**
 * What the one rule for untrusted input refuses in an event read from the bus: in its envelope
 * (`/id`, `/source`, ...) and in its data (`/data/...`, its depth counted from the data as a
 * body's is from its root, so the envelope does not cost the payload a level).
 */
export function eventProblems(event: CloudEvent): InputProblem[] {
  const { data, ...envelope } = event;
  return [...inputProblems(envelope), ...inputProblems(data, '/data')];
}

function whereFrom(info: DeliveryInfo): string {
  return info.partition === undefined ? info.topic : `${info.topic}[${info.partition}]@${info.offset}`;
}

/**
 * The consumer-side intake check for events read from the bus, for consumers that apply state
 * (policy changes, device posture and risk). An event is handed to the consumer only when it
 * passes {@link eventProblems} and, when the consumer declared what it accepts, its type's schema
 * and rules. A refused event is logged once (topic, partition, offset, event id and the
 * problems, escaped), counted in `zt_bus_events_refused_total{topic,reason}`, dead-lettered to
 * `zt.dead.letters` (which the audit trail records) and acknowledged, so the consumer goes on
 * with the next event instead of retrying it forever. A type the consumer did not declare is
 * passed over silently (a newer producer's event it has no use for). Consumers that must keep
 * refused events in their own store (the audit trail) do not use it.
 */
@Injectable()
export class EventIntake {
  private readonly logger = new Logger('EventIntake');
  private readonly refusals: Counter<'topic' | 'reason'>;

  constructor(
    @Inject(Registry) metrics: Registry,
    // Absent in tests that only check the screening: refusals are then counted and logged only.
    @Optional() @Inject(MessageBus) private readonly bus?: MessageBus,
  ) {
    this.refusals = new Counter({
      name: 'zt_bus_events_refused_total',
      help: 'Events read from the bus and not applied: not a CloudEvent, refused by the input rule, or invalid by their schema.',
      labelNames: ['topic', 'reason'],
      registers: [metrics],
    });
  }

  /**
   * The subscription with its handler behind the intake check. A refused or passed-over event is
   * reported to `onSkipped` like a message that is not a CloudEvent, so offset tracking still
   * sees it pass.
   */
  screened(options: SubscriptionOptions, accepts?: EventAcceptance): SubscriptionOptions {
    const { handler, onSkipped } = options;
    const consumer = accepts?.consumer ?? options.groupId;
    // Every series from 0, so `increase()` sees the first refusal of a topic.
    for (const topic of options.topics) {
      for (const reason of REASONS) this.refusals.labels(topic, reason).inc(0);
    }
    const skip = (info: DeliveryInfo): Promise<void> => {
      onSkipped?.(info);
      return Promise.resolve();
    };
    return {
      ...options,
      handler: async (event, info) => {
        const unsafe = eventProblems(event);
        if (unsafe.length > 0) {
          await this.refuse(consumer, event, info, 'unsafe_input', unsafe);
          return skip(info);
        }
        if (!accepts) return handler(event, info);
        const validate = accepts.validators.get(event.type);
        if (!validate) return skip(info);
        const invalid = validate(event);
        if (invalid.length > 0) {
          await this.refuse(consumer, event, info, 'invalid', invalid);
          return skip(info);
        }
        return handler(event, info);
      },
      onSkipped: (info) => {
        this.refusals.inc({ topic: info.topic, reason: 'not_cloudevent' });
        onSkipped?.(info);
      },
    };
  }

  private async refuse(
    consumer: string,
    event: CloudEvent,
    info: DeliveryInfo,
    reason: DeadLetterCause,
    problems: InputProblem[],
  ): Promise<void> {
    this.refusals.inc({ topic: info.topic, reason });
    const listed = problems.map((p) => `"${escapedText(p.pointer)}" ${escapedText(p.detail)}`).join('; ');
    const what = `"${escapedText(String(event.id))}" ("${escapedText(String(event.type))}")`;
    this.logger.warn(`refused event ${what} on ${whereFrom(info)}: ${listed}`);
    if (!this.bus) return;
    try {
      const letter = busDeadLetter(consumer, event, info, reason, problems);
      await publishWithin(this.bus, DEAD_LETTER_TOPIC, [letter], DEAD_LETTER_TIMEOUT_MS);
    } catch (error) {
      // Logged and counted already: a dead letter that cannot be sent must not hold the consumer.
      this.logger.warn(`dead letter of ${what} not sent: ${String(error)}`);
    }
  }
}
