import { KafkaConfig, logLevel, LogEntry, Partitioners, ProducerConfig } from 'kafkajs';
import { OutgoingMessage } from './message-bus';

/** Where a Kafka client connects and what it calls itself. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

/** One Kafka record as the producer sends it: envelope JSON, content type and correlation id. */
export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Receives the client's warnings and errors; anything quieter is not logged. */
export type KafkaLog = (level: 'error' | 'warn', text: string) => void;

const CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/** Producers wait for every in-sync replica: a published event survives a broker's loss. */
export const ALL_IN_SYNC_REPLICAS = -1;

/** The client settings of every Kafka connection of the project (bus and producer thread alike). */
export function kafkaClientConfig(connection: KafkaConnection, log: KafkaLog): KafkaConfig {
  return {
    clientId: connection.clientId,
    brokers: connection.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const text = `${entry.message}${entry.error ? `: ${String(entry.error)}` : ''}`;
        if (level === logLevel.ERROR) log('error', text);
        else if (level === logLevel.WARN) log('warn', text);
      },
  };
}

/**
 * The producer settings of every producer of the project. One request in flight keeps a key's
 * events in order across retries. The producer is not kafkajs's "idempotent" one: that needs
 * unbounded retries, and a send must fail (and be retried by its caller) rather than hang while
 * Kafka is down. Consumers dedupe by event id.
 */
export const PRODUCER_CONFIG: ProducerConfig = {
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

/** The Kafka record of one message: the CloudEvent as JSON, keyed, with its headers. */
export function kafkaRecord({ key, event }: OutgoingMessage): KafkaRecord {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE };
  if (event.correlationid) headers['x-correlation-id'] = event.correlationid;
  return { key, value: JSON.stringify(event), headers };
}
