import type { Logger } from '@nestjs/common';
import type { TopicName } from '@zt/contracts';
import { isCloudEvent } from '@zt/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Delivery, DeliveryInfo, SubscriptionOptions } from './message-bus';

/** The CloudEvent a Kafka message holds, or undefined when it holds none. */
export function cloudEventOf(message: KafkaMessage): Delivery['event'] | undefined {
  let event: unknown;
  try {
    event = JSON.parse(message.value?.toString() ?? '');
  } catch {
    return undefined;
  }
  return isCloudEvent(event) ? event : undefined;
}

/**
 * The `eachBatch` of a subscription with batch delivery (run with `eachBatchAutoResolve: false`).
 * A fetched batch is handed over `maxMessages` at a time; the offset moves past a slice only once
 * its handler resolved, and the loop stops between slices when the consumer is stopping (or the
 * partition was reassigned): the rest is fetched again, by this consumer or the next owner.
 * Messages that are not CloudEvents are skipped and reported, as with one-by-one delivery.
 */
export function eachBatchOf(
  options: SubscriptionOptions & { batch: NonNullable<SubscriptionOptions['batch']> },
  unprefixed: (topic: string) => TopicName,
  logger: Logger,
): (payload: EachBatchPayload) => Promise<void> {
  const { handler, maxMessages } = options.batch;
  return async (payload) => {
    const { batch } = payload;
    const topic = unprefixed(batch.topic);
    const { partition } = batch;
    for (let start = 0; start < batch.messages.length; start += maxMessages) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, start + maxMessages);
      const deliveries: Delivery[] = [];
      const skipped: DeliveryInfo[] = [];
      for (const message of slice) {
        const info: DeliveryInfo = {
          topic,
          key: message.key?.toString() ?? null,
          partition,
          offset: message.offset,
        };
        const event = cloudEventOf(message);
        if (event) {
          deliveries.push({ event, info });
          continue;
        }
        // A poison message must not block the partition forever: log it and move on.
        logger.warn(`skipped a non-CloudEvent message on ${batch.topic}[${partition}]@${message.offset}`);
        skipped.push(info);
      }
      if (deliveries.length > 0) await handler(deliveries);
      for (const info of skipped) options.onSkipped?.(info);
      payload.resolveOffset(slice[slice.length - 1].offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  };
}
