import { Logger } from '@nestjs/common';
import type { CloudEvent, TopicName } from '@zt/contracts';
import { isCloudEvent } from '@zt/contracts';
import { DeliveryInfo, MessageBus, OutgoingMessage, SubscriptionOptions } from './message-bus';

interface Queued {
  event: CloudEvent;
  info: DeliveryInfo;
}

/** Delivery attempts before an in-process message is given up on (and logged as lost). */
const MAX_ATTEMPTS = 5;

/**
 * A consumer group in one process: messages are delivered one at a time (or, with `batch`, what
 * queued up, in batches), in publish order, retried with backoff when the handler throws, like a
 * Kafka partition consumer.
 */
class GroupConsumer {
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    readonly options: SubscriptionOptions,
    private readonly logger: Logger,
  ) {}

  push(item: Queued): void {
    this.queue.push(item);
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the publisher's call return first, as a network bus would.
    await new Promise((resolve) => setImmediate(resolve));
    const { batch } = this.options;
    if (batch) {
      // What queued up while the previous batch was handled goes together in the next one.
      for (let items = this.queue.splice(0, batch.maxMessages); items.length > 0;) {
        await this.deliver(items, () => batch.handler(items));
        items = this.queue.splice(0, batch.maxMessages);
      }
      return;
    }
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      const { event, info } = item;
      await this.deliver([item], () => this.options.handler(event, info));
    }
  }

  private async deliver(items: Queued[], handle: () => Promise<void>): Promise<void> {
    const what = items.length === 1 ? `event ${items[0].event.id}` : `${items.length} events`;
    for (let attempt = 1; ; attempt++) {
      try {
        await handle();
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= MAX_ATTEMPTS) {
          const topics = [...new Set(items.map((i) => i.info.topic))].join(', ');
          this.logger.error(
            `group ${this.options.groupId} gave up on ${what} (${topics}) after ${attempt} attempts: ${message}`,
          );
          return;
        }
        this.logger.warn(`group ${this.options.groupId} retries ${what}: ${message}`);
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }
}

/**
 * The standalone bus. Events are serialized and parsed on the way through, so a handler never
 * shares objects with the publisher and sees exactly what Kafka would deliver.
 */
export class InProcessBus extends MessageBus {
  private readonly logger = new Logger('InProcessBus');
  private readonly groups = new Map<string, GroupConsumer>();
  private closed = false;

  publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('bus is closed'));
    for (const { key, event } of messages) {
      const copy: unknown = JSON.parse(JSON.stringify(event));
      if (!isCloudEvent(copy)) return Promise.reject(new Error(`not a CloudEvent on ${topic}`));
      for (const group of this.groups.values()) {
        if (group.options.topics.includes(topic)) group.push({ event: copy, info: { topic, key } });
      }
    }
    return Promise.resolve();
  }

  subscribe(options: SubscriptionOptions): Promise<void> {
    if (this.groups.has(options.groupId)) {
      return Promise.reject(new Error(`group ${options.groupId} is already subscribed`));
    }
    this.groups.set(options.groupId, new GroupConsumer(options, this.logger));
    return Promise.resolve();
  }

  /** The in-process bus keeps no history: a new consumer has nothing to catch up with. */
  endOffsets(): Promise<Map<number, bigint>> {
    return Promise.resolve(new Map<number, bigint>());
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(!this.closed);
  }

  /** Resolves when every consumer has handled everything published so far (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.idle()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
