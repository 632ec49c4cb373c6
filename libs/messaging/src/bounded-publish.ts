import type { TopicName } from '@zt/contracts';
import type { MessageBus, OutgoingMessage } from './message-bus';

/** A publish that the bus did not confirm in time (the broker is down or frozen). */
export class PublishTimeoutError extends Error {
  constructor(topic: TopicName, ms: number) {
    super(`publishing to ${topic} did not complete within ${ms} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * Publishes, but stops waiting after `ms`: the Kafka client retries a send for a minute or more
 * while the broker is down, and a caller holding a request or a transaction must not wait that
 * long. The send may still complete later, so the caller's retry may publish twice; consumers
 * deduplicate by event id.
 */
export async function publishWithin(
  bus: MessageBus,
  topic: TopicName,
  messages: OutgoingMessage[],
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeoutError(topic, ms)), ms);
  });
  const sent = bus.publish(topic, messages);
  // A send that fails after the timeout has nobody waiting for it.
  sent.catch(() => undefined);
  try {
    await Promise.race([sent, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
