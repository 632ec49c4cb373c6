import { EventSources, EventTypes } from '../event-types';
import { Topics, type TopicName } from '../topics';
import type { JsonSchema } from './common';
import {
  AUDIT_CHECKPOINT_SCHEMA,
  AUDIT_RECORD_SCHEMA,
  BUS_DEAD_LETTER_SCHEMA,
  MODEL_INTEGRATION_CHANGE_SCHEMA,
} from './audit';
import { DECISION_BATCH_SCHEMA, DECISION_HEARTBEAT_SCHEMA } from './decisions';
import { DEVICE_POSTURE_SCHEMA, DEVICE_RISK_SCHEMA } from './device';
import { POLICY_CHANGE_SCHEMA, PRINCIPAL_CHANGE_SCHEMA, RESOURCE_CHANGE_SCHEMA } from './policy-changes';

/** CloudEvents type of a dead letter on `zt.dead.letters`. */
export const BUS_DEAD_LETTER_TYPE = 'com.zt.bus.dead_lettered';

/** One kind of event on the bus: where it travels, how it is keyed, and the schema of its data. */
export interface EventContract {
  /** CloudEvents `type`. */
  type: string;
  /** Name of the message in the AsyncAPI document. */
  name: string;
  summary: string;
  topic: TopicName;
  /** What the Kafka record key is. */
  key: string;
  /** The service that produces it. */
  producer: string;
  /** Its CloudEvents `source` when one of ours produces it. */
  source: string;
  data: JsonSchema;
}

/** A topic as the AsyncAPI document describes it. */
export interface TopicContract {
  topic: TopicName;
  description: string;
  compacted: boolean;
  partitions: 'one' | 'many';
  /** Retention in milliseconds when it is not the broker's default. */
  retentionMs?: number;
}

const policyChange = (type: string, name: string, summary: string): EventContract => ({
  type,
  name,
  summary,
  topic: Topics.policyChanges,
  key: 'the policy id',
  producer: 'policy-admin',
  source: EventSources.policyAdmin,
  data: POLICY_CHANGE_SCHEMA,
});

const principalChange = (type: string, name: string, summary: string): EventContract => ({
  type,
  name,
  summary,
  topic: Topics.policyChanges,
  key: '`principal:<id>`',
  producer: 'policy-admin',
  source: EventSources.policyAdmin,
  data: PRINCIPAL_CHANGE_SCHEMA,
});

const resourceChange = (type: string, name: string, summary: string): EventContract => ({
  type,
  name,
  summary,
  topic: Topics.policyChanges,
  key: '`resource:<type>/<id>`',
  producer: 'policy-admin',
  source: EventSources.policyAdmin,
  data: RESOURCE_CHANGE_SCHEMA,
});

const integrationChange = (type: string, name: string, summary: string): EventContract => ({
  type,
  name,
  summary,
  topic: Topics.adminActions,
  key: '`model-integration`',
  producer: 'device-intelligence',
  source: EventSources.deviceIntelligence,
  data: MODEL_INTEGRATION_CHANGE_SCHEMA,
});

/** Every event the services put on the bus. The one list the document, the tests and the consumers use. */
export const EVENT_CONTRACTS: readonly EventContract[] = [
  policyChange(EventTypes.policyCreated, 'policyCreated', 'A policy was created.'),
  policyChange(EventTypes.policyUpdated, 'policyUpdated', 'A policy was updated, restored or rolled back.'),
  policyChange(EventTypes.policyDeleted, 'policyDeleted', 'A policy was deleted (document null).'),
  principalChange(EventTypes.principalUpserted, 'principalUpserted', 'A principal directory entry was set.'),
  principalChange(
    EventTypes.principalDeleted,
    'principalDeleted',
    'A principal was removed (principal null).',
  ),
  resourceChange(EventTypes.resourceUpserted, 'resourceUpserted', 'A resource directory entry was set.'),
  resourceChange(EventTypes.resourceDeleted, 'resourceDeleted', 'A resource was removed (resource null).'),
  {
    type: EventTypes.devicePosture,
    name: 'devicePosture',
    summary: 'A device posture report, from the HTTP intake or an agent gateway writing to Kafka.',
    topic: Topics.devicePosture,
    key: 'the device id',
    producer: 'device-intelligence (or a posture agent gateway)',
    source: EventSources.deviceIntelligence,
    data: DEVICE_POSTURE_SCHEMA,
  },
  {
    type: EventTypes.deviceRisk,
    name: 'deviceRisk',
    summary: 'A device’s risk score and verdict (restricted or not).',
    topic: Topics.deviceRisk,
    key: 'the device id',
    producer: 'device-intelligence',
    source: EventSources.deviceIntelligence,
    data: DEVICE_RISK_SCHEMA,
  },
  {
    type: EventTypes.decisionBatch,
    name: 'decisionBatch',
    summary: 'Decisions, up to 100 per message; each is one decision as if sent alone.',
    topic: Topics.decisionLog,
    key: 'the event id',
    producer: 'decision',
    source: EventSources.decision,
    data: DECISION_BATCH_SCHEMA,
  },
  {
    type: EventTypes.decisionHeartbeat,
    name: 'decisionHeartbeat',
    summary: 'What one decision replica has applied, every few seconds.',
    topic: Topics.decisionHeartbeats,
    key: 'the instance id',
    producer: 'decision',
    source: EventSources.decision,
    data: DECISION_HEARTBEAT_SCHEMA,
  },
  {
    type: EventTypes.auditRecord,
    name: 'auditRecord',
    summary: 'One sealed record of the audit hash chain, in sequence order.',
    topic: Topics.auditEvents,
    key: 'the record’s sequence number',
    producer: 'audit',
    source: EventSources.audit,
    data: AUDIT_RECORD_SCHEMA,
  },
  {
    type: EventTypes.auditCheckpoint,
    name: 'auditCheckpoint',
    summary: 'A signed checkpoint of the audit chain’s head.',
    topic: Topics.auditEvents,
    key: '`checkpoint-<seq>`',
    producer: 'audit',
    source: EventSources.audit,
    data: AUDIT_CHECKPOINT_SCHEMA,
  },
  integrationChange(
    EventTypes.modelIntegrationSet,
    'modelIntegrationSet',
    'The risk model integration was set.',
  ),
  integrationChange(
    EventTypes.modelIntegrationRemoved,
    'modelIntegrationRemoved',
    'The risk model integration was removed.',
  ),
  {
    type: BUS_DEAD_LETTER_TYPE,
    name: 'busDeadLettered',
    summary: 'An event a consumer refused (invalid or unsafe) and did not apply.',
    topic: Topics.deadLetters,
    key: 'the dead letter’s event id',
    producer: 'decision, device-intelligence (any consumer behind the event intake)',
    source: EventSources.decision,
    data: BUS_DEAD_LETTER_SCHEMA,
  },
];

/** Every topic, as the AsyncAPI document describes it. */
export const TOPIC_CONTRACTS: readonly TopicContract[] = [
  {
    topic: Topics.policyChanges,
    description:
      'Policy, principal and resource changes. One partition, so the revision carried by every change is a total order; compacted by key, so it holds the latest state of every policy, principal and resource. The changes of an atomic change set share one revision and carry `changeset` (id, count): consumers apply them together.',
    compacted: true,
    partitions: 'one',
  },
  {
    topic: Topics.devicePosture,
    description:
      'Device posture reports, keyed by device id; compacted, so it holds every device’s latest report.',
    compacted: true,
    partitions: 'many',
  },
  {
    topic: Topics.deviceRisk,
    description: 'Risk verdicts, keyed by device id; compacted, so a restriction never ages out of the log.',
    compacted: true,
    partitions: 'many',
  },
  {
    topic: Topics.decisionLog,
    description: 'Every decision (allow may be sampled: each entry says its sample rate), in batches.',
    compacted: false,
    partitions: 'many',
  },
  {
    topic: Topics.auditEvents,
    description:
      'The sealed audit chain for SIEMs, in sequence order (one partition), with signed checkpoints of its head.',
    compacted: false,
    partitions: 'one',
  },
  {
    topic: Topics.adminActions,
    description: 'Administrative actions outside the policy set (risk model integration changes).',
    compacted: false,
    partitions: 'many',
  },
  {
    topic: Topics.decisionHeartbeats,
    description: 'Each decision replica’s applied revision, every few seconds: rollout visibility.',
    compacted: false,
    partitions: 'many',
    retentionMs: 3_600_000,
  },
  {
    topic: Topics.deadLetters,
    description:
      'Events a consumer refused and did not apply: invalid by their schema or unsafe by the input rule. The audit service records them in its chain.',
    compacted: false,
    partitions: 'many',
  },
];

/** The contract of an event type, if the bus carries it. */
export function eventContract(type: string): EventContract | undefined {
  return EVENT_CONTRACTS.find((c) => c.type === type);
}
