import type { CloudEvent, TopicName } from '@zt/contracts';

/** One message to publish: the partition key and the CloudEvents envelope. */
export interface OutgoingMessage<T = unknown> {
  key: string;
  event: CloudEvent<T>;
}

/** Where a delivered message came from; offsets exist only on Kafka. */
export interface DeliveryInfo {
  topic: TopicName;
  key: string | null;
  partition?: number;
  offset?: string;
}

/**
 * Handles one delivered event. Throwing means "not processed": the bus delivers it again
 * (at-least-once), so handlers must be idempotent (dedupe by event id).
 */
export type EventHandler = (event: CloudEvent, info: DeliveryInfo) => Promise<void>;

/** One delivered event and where it came from. */
export interface Delivery {
  event: CloudEvent;
  info: DeliveryInfo;
}

/**
 * Handles delivered events, in delivery order, as one unit: resolving means every one of them is
 * processed; throwing means none counts as processed, so the bus delivers them all again (the
 * handler must be idempotent, as for {@link EventHandler}).
 */
export type BatchHandler = (deliveries: Delivery[]) => Promise<void>;

/** Batch delivery of a subscription: for consumers whose per-event cost is mostly fixed overhead. */
export interface BatchDelivery {
  handler: BatchHandler;
  /** Most messages handed over at once. */
  maxMessages: number;
}

/** A consumer's registration: one group id per logical consumer, as in Kafka. */
export interface SubscriptionOptions {
  topics: TopicName[];
  /** Consumers in one group share the messages; each group gets every message. */
  groupId: string;
  /** Read the retained history first (decision replicas rebuild their state this way). */
  fromBeginning: boolean;
  handler: EventHandler;
  /**
   * When set, messages are handed to `batch.handler` many at a time instead of to `handler` one by
   * one. Progress (Kafka offsets) moves only past a batch the handler resolved, and a consumer
   * being stopped stops between batches: what it had not finished is delivered again.
   */
  batch?: BatchDelivery;
  /** Called after every poll of the bus, with or without messages: proof the consumer is in contact. */
  onPoll?: () => void;
  /**
   * Called for a message that is skipped instead of handled (not a CloudEvent, or refused by the
   * intake check of `EventIntake`), so a consumer that tracks its progress through the offsets
   * still sees it pass.
   */
  onSkipped?: (info: DeliveryInfo) => void;
  /**
   * The group has this one consumer only (a replica reading the whole stream for its own state).
   * Its session is kept short so that after a broker restart, which may still remember the
   * consumer's previous membership, it rejoins within seconds instead of the usual 30.
   */
  privateGroup?: boolean;
  /**
   * Where to start reading, by partition, instead of the beginning or the end: a replica that
   * loaded a snapshot holding everything below these offsets. Only for a subscription to one
   * topic; the in-process bus keeps no history and ignores it.
   */
  startAt?: Map<number, bigint>;
}

/** What a stream publisher reports about itself while it runs. */
export interface PublisherHooks {
  /**
   * A publisher's worker thread stopped unexpectedly; what it had not confirmed was rejected (so
   * its caller retries it) and a new thread starts on the next publish.
   */
  onThreadExit?: (reason: string) => void;
}

/** A publisher of its own for one high-volume stream, closed by whoever opened it. */
export interface StreamPublisher {
  /** Where encoding and sending run: the caller's event loop, or a worker thread. */
  readonly runsOn: 'event-loop' | 'worker-thread';
  /** Publishes to one topic; resolves when the bus has accepted the messages durably. */
  publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void>;
  /** Finishes what was accepted, then releases the publisher; publishing afterwards fails. */
  close(): Promise<void>;
}

/**
 * The messaging interface every service uses. Two implementations: Kafka (distributed) and an
 * in-process bus (standalone) with the same topic names, envelopes and delivery semantics.
 */
export abstract class MessageBus {
  /** Publishes messages to one topic; resolves when the bus has accepted them durably. */
  abstract publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void>;
  /** Starts consuming; resolves once the consumer has joined and will receive new messages. */
  abstract subscribe(options: SubscriptionOptions): Promise<void>;
  /**
   * The offset the next message of each partition of a topic will get (Kafka's high watermark),
   * by partition. A consumer that has handled offset `end - 1` of every partition has caught up
   * with everything published before the call. Empty when the bus keeps no history.
   */
  abstract endOffsets(topic: TopicName): Promise<Map<number, bigint>>;
  /** True while the bus can publish and deliver. */
  abstract isReady(): Promise<boolean>;
  /** Stops consumers and producers, letting in-flight handlers finish. */
  abstract close(): Promise<void>;

  /**
   * A publisher for one high-volume stream (the decision log). Here the bus itself, on the
   * caller's event loop; the Kafka bus gives the stream a producer in a worker thread.
   */
  openPublisher(_hooks: PublisherHooks = {}): StreamPublisher {
    return {
      runsOn: 'event-loop',
      publish: (topic, messages) => this.publish(topic, messages),
      close: () => Promise.resolve(),
    };
  }
}
