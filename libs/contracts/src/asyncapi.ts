import { cloudEventSchema } from './event-schemas/common';
import { EVENT_CONTRACTS, EventContract, TOPIC_CONTRACTS, TopicContract } from './event-schemas/catalogue';
import { EVENT_DATA_EXAMPLES } from './event-schemas/examples';
import { type TopicName, Topics } from './topics';

/** What the AsyncAPI document needs from the process that serves it. */
export interface AsyncApiOptions {
  version: string;
}

type Json = Record<string, unknown>;

const KAFKA_BINDING_VERSION = '0.5.0';

/** Channel ids: `zt.policy.changes` → `policyChanges`, as in `Topics`. */
function channelId(topic: TopicName): string {
  return topic
    .replace(/^zt\./, '')
    .split('.')
    .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
    .join('');
}

const CORRELATION_HEADERS = {
  type: 'object',
  properties: {
    'content-type': { const: 'application/cloudevents+json; charset=UTF-8' },
    'x-correlation-id': {
      type: 'string',
      maxLength: 128,
      description: 'The correlation id of the request that caused the event (as `correlationid`).',
    },
  },
} as const;

function exampleEvent(contract: EventContract): Json {
  return {
    specversion: '1.0',
    id: '5f0c7d3e-8a57-4b1e-9f0e-2f1f2d4c6b7a',
    source: contract.source,
    type: contract.type,
    time: '2026-12-01T10:00:00.000Z',
    datacontenttype: 'application/json',
    correlationid: 'req-1',
    data: EVENT_DATA_EXAMPLES[contract.type],
  };
}

function message(contract: EventContract): Json {
  return {
    name: contract.type,
    title: contract.name,
    summary: contract.summary,
    description: `Produced by ${contract.producer}. Kafka key: ${contract.key}.`,
    contentType: 'application/cloudevents+json',
    headers: CORRELATION_HEADERS,
    correlationId: { location: '$message.payload#/correlationid' },
    payload: cloudEventSchema(contract.type, contract.data, contract.name),
    examples: [{ name: contract.name, payload: exampleEvent(contract) }],
    bindings: {
      kafka: {
        key: { type: 'string', description: contract.key },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function channel(topic: TopicContract): Json {
  const messages = EVENT_CONTRACTS.filter((c) => c.topic === topic.topic);
  const configuration: Json = { 'cleanup.policy': [topic.compacted ? 'compact' : 'delete'] };
  if (topic.retentionMs !== undefined) configuration['retention.ms'] = topic.retentionMs;
  return {
    address: topic.topic,
    title: topic.topic,
    description: topic.description,
    messages: Object.fromEntries(messages.map((m) => [m.name, { $ref: `#/components/messages/${m.name}` }])),
    bindings: {
      kafka: {
        topic: topic.topic,
        ...(topic.partitions === 'one' ? { partitions: 1 } : {}),
        topicConfiguration: configuration,
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

// What the platform's own services read; a posture agent may also send to `zt.device.posture`.
const RECEIVED: readonly TopicName[] = [
  Topics.policyChanges,
  Topics.devicePosture,
  Topics.deviceRisk,
  Topics.decisionLog,
  Topics.adminActions,
  Topics.decisionHeartbeats,
  Topics.deadLetters,
];

function operations(): Json {
  const result: Json = {};
  for (const topic of TOPIC_CONTRACTS) {
    const id = channelId(topic.topic);
    const messages = EVENT_CONTRACTS.filter((c) => c.topic === topic.topic).map((m) => ({
      $ref: `#/channels/${id}/messages/${m.name}`,
    }));
    const publishers = [
      ...new Set(EVENT_CONTRACTS.filter((c) => c.topic === topic.topic).map((c) => c.producer)),
    ];
    result[`send${id[0].toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `Published to ${topic.topic} by ${publishers.join('; ')}.`,
      messages,
    };
    if (RECEIVED.includes(topic.topic)) {
      result[`receive${id[0].toUpperCase()}${id.slice(1)}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        summary: `Read from ${topic.topic}; every event is validated against its schema, an invalid one is dead-lettered to zt.dead.letters.`,
        messages,
      };
    }
  }
  return result;
}

/**
 * The AsyncAPI 3.0 document of the bus: every topic, with the CloudEvents envelope and the JSON
 * Schema of each event's data, the same schemas the consumers validate with.
 */
export function buildAsyncApiDocument(options: AsyncApiOptions): Json {
  const document: Json = {
    asyncapi: '3.0.0',
    info: {
      title: 'Zero Trust Policy Platform: event bus',
      version: options.version,
      description:
        'Every topic the services exchange on Kafka. Each record value is a CloudEvents 1.0 structured-mode JSON envelope (content type application/cloudevents+json); the record key and the schema of `data` are given per message. Consumers validate every event against these schemas and dead-letter what fails (zt.dead.letters). See docs/events.md.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/cloudevents+json',
    channels: Object.fromEntries(TOPIC_CONTRACTS.map((t) => [channelId(t.topic), channel(t)])),
    operations: operations(),
    components: {
      messages: Object.fromEntries(EVENT_CONTRACTS.map((c) => [c.name, message(c)])),
    },
  };
  // No `servers`: the brokers are the deployment's own (KAFKA_BROKERS), and a public document
  // is no place to list internal hosts.
  return document;
}
