import { Logger } from '@nestjs/common';
import type { TopicName } from '@zt/contracts';
import {
  ALL_TOPICS,
  COMPACTED_TOPICS,
  SHORT_LIVED_TOPICS,
  SINGLE_PARTITION_TOPICS,
  isCloudEvent,
} from '@zt/contracts';
import { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { eachBatchOf } from './kafka-batch';
import { KafkaProducerThread } from './kafka-producer-thread';
import { ALL_IN_SYNC_REPLICAS, kafkaClientConfig, kafkaRecord, PRODUCER_CONFIG } from './kafka-settings';
import {
  MessageBus,
  OutgoingMessage,
  PublisherHooks,
  StreamPublisher,
  SubscriptionOptions,
} from './message-bus';

/** How the Kafka bus connects and which topics it creates. */
export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
}

const JOIN_TIMEOUT_MS = 60_000;

/**
 * The distributed bus on Kafka (kafkajs). The producer waits for acks from all in-sync
 * replicas; consumers commit an offset only after the handler resolved, so a crash
 * re-delivers rather than loses. Topics are created here, never by broker auto-creation.
 */
export class KafkaBus extends MessageBus {
  private readonly logger = new Logger('KafkaBus');
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumers: Consumer[] = [];
  private producerConnected = false;
  private admin: Promise<Admin> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    super();
    this.kafka = new Kafka(
      kafkaClientConfig(options, (level, text) =>
        level === 'error' ? this.logger.error(text) : this.logger.warn(text),
      ),
    );
    this.producer = this.kafka.producer(PRODUCER_CONFIG);
  }

  private topicName(topic: TopicName): string {
    return `${this.options.topicPrefix}${topic}`;
  }

  private unprefixed(name: string): TopicName {
    const bare = name.startsWith(this.options.topicPrefix)
      ? name.slice(this.options.topicPrefix.length)
      : name;
    return bare as TopicName;
  }

  /** Connects the producer and creates the project's topics (idempotent). */
  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((t) => !existing.has(this.topicName(t)));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic: this.topicName(topic),
            numPartitions: SINGLE_PARTITION_TOPICS.includes(topic) ? 1 : this.options.partitions,
            replicationFactor: this.options.replicationFactor,
            configEntries: [
              ...(COMPACTED_TOPICS.includes(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
              ...(SHORT_LIVED_TOPICS[topic]
                ? [{ name: 'retention.ms', value: String(SHORT_LIVED_TOPICS[topic]) }]
                : []),
            ],
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    this.producerConnected = true;
  }

  async publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({
      topic: this.topicName(topic),
      acks: ALL_IN_SYNC_REPLICAS,
      messages: messages.map(kafkaRecord),
    });
  }

  /**
   * A producer of its own in a worker thread: a high-volume stream's encoding, buffer copies and
   * garbage stay off this event loop (and out of its pauses). The bus must be connected first:
   * the thread's producer does not create topics.
   */
  override openPublisher(hooks: PublisherHooks = {}): StreamPublisher {
    return new KafkaProducerThread({ ...this.options, clientId: `${this.options.clientId}-thread` }, hooks);
  }

  async subscribe(options: SubscriptionOptions): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // 6 s is the broker's smallest allowed session (group.min.session.timeout.ms).
      sessionTimeout: options.privateGroup ? 6_000 : 30_000,
      heartbeatInterval: options.privateGroup ? 1_000 : 3_000,
      rebalanceTimeout: options.privateGroup ? 10_000 : 60_000,
      // An idle fetch returns after this long: how often a quiet consumer proves it is in contact.
      maxWaitTimeInMs: 1_000,
      retry: { initialRetryTime: 200, retries: 10 },
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: options.topics.map((t) => this.topicName(t)),
      fromBeginning: options.fromBeginning,
    });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`group ${options.groupId} did not join in ${JOIN_TIMEOUT_MS} ms`)),
        JOIN_TIMEOUT_MS,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (options.onPoll) {
      const onPoll = options.onPoll;
      consumer.on(consumer.events.FETCH, () => onPoll());
    }
    if (options.batch) {
      if (options.startAt) throw new Error('startAt is not supported for batch subscriptions');
      const eachBatch = eachBatchOf(
        { ...options, batch: options.batch },
        (t) => this.unprefixed(t),
        this.logger,
      );
      await consumer.run({ eachBatchAutoResolve: false, eachBatch });
      await joined;
      return;
    }
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const key = message.key?.toString() ?? null;
        let event: unknown;
        try {
          event = JSON.parse(message.value?.toString() ?? '');
        } catch {
          event = undefined;
        }
        if (!isCloudEvent(event)) {
          // A poison message must not block the partition forever: log it and move on.
          this.logger.warn(`skipped a non-CloudEvent message on ${topic}[${partition}]@${message.offset}`);
          options.onSkipped?.({ topic: this.unprefixed(topic), key, partition, offset: message.offset });
          return;
        }
        await options.handler(event, {
          topic: this.unprefixed(topic),
          key,
          partition,
          offset: message.offset,
        });
      },
    });
    if (options.startAt) {
      if (options.topics.length !== 1) throw new Error('startAt needs a subscription to exactly one topic');
      const topic = this.topicName(options.topics[0]);
      // kafkajs applies a seek once the partition is assigned, before its first fetch.
      for (const [partition, offset] of options.startAt)
        consumer.seek({ topic, partition, offset: String(offset) });
    }
    await joined;
  }

  async endOffsets(topic: TopicName): Promise<Map<number, bigint>> {
    const offsets = await this.withAdmin((admin) => admin.fetchTopicOffsets(this.topicName(topic)));
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  async isReady(): Promise<boolean> {
    if (!this.producerConnected) return false;
    try {
      await this.withAdmin((admin) => admin.listTopics());
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs a request on the one admin connection this bus keeps for its questions to the broker:
   * replicas ask every second whether they are behind and probes ask whether the broker answers,
   * and a connection per question would churn the broker's connections (and pile up while it is
   * down). A failed request drops the connection; the next question makes a new one.
   */
  private async withAdmin<T>(request: (admin: Admin) => Promise<T>): Promise<T> {
    this.admin ??= this.connectAdmin();
    const current = this.admin;
    try {
      return await request(await current);
    } catch (error) {
      if (this.admin === current) this.admin = undefined;
      void current.then((admin) => admin.disconnect()).catch(() => undefined);
      throw error;
    }
  }

  private async connectAdmin(): Promise<Admin> {
    // Few retries: a caller that cannot get an answer soon treats the broker as out of reach.
    const admin = this.kafka.admin({ retry: { initialRetryTime: 200, retries: 2 } });
    await admin.connect();
    return admin;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    if (this.producerConnected) await this.producer.disconnect();
    this.producerConnected = false;
  }
}
