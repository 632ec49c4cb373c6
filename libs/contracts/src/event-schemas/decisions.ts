import { COUNT, IDENTIFIER, INSTANT } from './common';

// A decision's subject, action and resource as the request named them (or `sha256:<hex>` when
// DECISION_LOG_REDACT hides them), held to the untrusted-input rule's longest string.
const NAMED = { type: 'string', maxLength: 65_536 } as const;

const NAMES = { type: 'array', maxItems: 10_000, items: NAMED } as const;
const PROPERTIES = {
  type: 'object',
  description: 'Free-form properties, as the request and the directory gave them.',
} as const;

/**
 * What the engine decided on (DECISION_LOG_INPUTS): the request after the token's, the
 * directories' and the device's facts joined it. Free-form where the request is (properties,
 * context); the untrusted-input rule bounds depth and sizes.
 */
const DECISION_INPUT_SCHEMA = {
  type: 'object',
  description: 'The request as the engine decided it, for replay; redacted fields keep only type and digest.',
  required: ['subject', 'action', 'resource'],
  properties: {
    subject: {
      type: 'object',
      required: ['id'],
      properties: { type: NAMED, id: NAMED, roles: NAMES, groups: NAMES, attributes: PROPERTIES },
    },
    action: NAMED,
    resource: {
      type: 'object',
      required: ['id'],
      properties: { type: NAMED, id: NAMED, attributes: PROPERTIES },
    },
    context: PROPERTIES,
  },
} as const;

/** One decision as `zt.decision.log` carries it (an entry of a `com.zt.decision.batch`). */
export const DECISION_LOG_ENTRY_SCHEMA = {
  type: 'object',
  title: 'DecisionLogData',
  additionalProperties: false,
  required: [
    'decisionId',
    'requestDigest',
    'decision',
    'subject',
    'action',
    'resource',
    'policies',
    'revision',
    'latencyMs',
  ],
  properties: {
    decisionId: { type: 'string', minLength: 1, maxLength: 256 },
    requestDigest: { type: 'string', maxLength: 256, description: 'Digest of the decision request.' },
    decision: { enum: ['allow', 'deny', 'require_mfa', 'isolate'] },
    subject: NAMED,
    action: NAMED,
    resource: NAMED,
    policies: {
      type: 'array',
      maxItems: 10_000,
      description: 'The policies that decided, with their versions.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'version'],
        properties: { id: IDENTIFIER, version: COUNT },
      },
    },
    revision: { ...COUNT, description: 'The policy set revision the decision was made at.' },
    latencyMs: { type: 'number', minimum: 0 },
    cached: { type: 'boolean', description: 'Whether the decision came from the decision cache.' },
    sampleRate: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      description: 'Share of such decisions that are logged (allow may be sampled); scale counts by 1/rate.',
    },
    at: { ...INSTANT, description: 'When the decision was made.' },
    correlationId: { type: 'string', maxLength: 128 },
    input: DECISION_INPUT_SCHEMA,
    inputRedacted: {
      type: 'boolean',
      description: 'Some of input is replaced by digests: it cannot be replayed.',
    },
  },
} as const;

/** `data` of `com.zt.decision.batch` on `zt.decision.log` (key: the event id). */
export const DECISION_BATCH_SCHEMA = {
  type: 'object',
  title: 'DecisionBatchData',
  additionalProperties: false,
  required: ['decisions'],
  properties: {
    decisions: { type: 'array', minItems: 1, maxItems: 10_000, items: DECISION_LOG_ENTRY_SCHEMA },
  },
} as const;

/** `data` of `com.zt.decision.heartbeat` on `zt.decision.heartbeats` (key: the instance id). */
export const DECISION_HEARTBEAT_SCHEMA = {
  type: 'object',
  title: 'DecisionHeartbeatData',
  additionalProperties: false,
  required: ['instanceId', 'revision', 'revisionReachedAt', 'startedAt', 'ready', 'staleSeconds', 'at'],
  properties: {
    instanceId: { type: 'string', minLength: 1, maxLength: 256 },
    revision: { ...COUNT, description: 'The policy set revision the replica has applied.' },
    revisionReachedAt: INSTANT,
    startedAt: INSTANT,
    ready: { type: 'boolean' },
    staleSeconds: { ...COUNT, description: 'Seconds since the replica last heard from the bus.' },
    behind: { type: 'boolean', description: 'The replica knows it holds unapplied policy changes.' },
    lagMessages: { ...COUNT, description: 'Policy-topic messages not yet applied.' },
    stopping: { type: 'boolean', description: 'The replica’s farewell: it stops now.' },
    at: INSTANT,
  },
} as const;
