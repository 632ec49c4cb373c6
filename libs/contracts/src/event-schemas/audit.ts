import { ACTOR, COUNT, INSTANT } from './common';

const SHA256_HEX = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/**
 * `data` of `com.zt.audit.record` on `zt.audit.events` (key: the sequence number): one sealed
 * record of the hash chain. `hash` is the SHA-256 of the RFC 8785 canonical JSON of the other
 * members; `prevHash` is the previous record's hash (64 zeros before the first).
 */
export const AUDIT_RECORD_SCHEMA = {
  type: 'object',
  title: 'SealedAuditRecord',
  additionalProperties: false,
  required: [
    'seq',
    'eventId',
    'eventTime',
    'type',
    'source',
    'actor',
    'subject',
    'payload',
    'prevHash',
    'hash',
  ],
  properties: {
    seq: { ...COUNT, minimum: 1, description: 'Position in the chain, gap-free.' },
    eventId: { type: 'string', minLength: 1, maxLength: 512 },
    eventTime: INSTANT,
    type: {
      type: 'string',
      maxLength: 512,
      description: 'The recorded event’s type (com.zt.policy.updated, com.zt.decision.made, …).',
    },
    source: { type: 'string', maxLength: 65_536 },
    actor: { type: 'string', maxLength: 65_536, description: 'Who caused it: actor, subject or source.' },
    subject: { oneOf: [{ type: 'string', maxLength: 65_536 }, { type: 'null' }] },
    payload: {
      description: 'The recorded event’s data, as its own schema describes it.',
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
    },
    prevHash: SHA256_HEX,
    hash: SHA256_HEX,
  },
} as const;

/**
 * `data` of `com.zt.audit.checkpoint` on `zt.audit.events` (key: `checkpoint-<seq>`): a signed
 * statement of the chain's head, verifiable with the audit service's JWKS.
 */
export const AUDIT_CHECKPOINT_SCHEMA = {
  type: 'object',
  title: 'AuditCheckpoint',
  additionalProperties: false,
  required: ['seq', 'headHash', 'createdAt', 'jws'],
  properties: {
    seq: COUNT,
    headHash: SHA256_HEX,
    createdAt: INSTANT,
    jws: {
      type: 'string',
      maxLength: 4096,
      description: 'Compact JWS (ES256) over the canonical JSON of { createdAt, headHash, seq }.',
    },
  },
} as const;

/** The registered risk model, as `POST /device-intelligence/integrate` bounds it. */
const MODEL_INTEGRATION = {
  type: 'object',
  additionalProperties: false,
  required: ['modelUrl', 'threshold', 'timeoutMs', 'onFailure'],
  properties: {
    modelUrl: { type: 'string', minLength: 1, maxLength: 2048 },
    threshold: { type: 'number', minimum: 0, maximum: 1 },
    timeoutMs: { type: 'integer', minimum: 50, maximum: 30_000 },
    onFailure: { enum: ['deny', 'allow', 'last_known'] },
  },
} as const;

/**
 * `data` of `com.zt.device.integration.set|removed` on `zt.admin.actions` (key:
 * `model-integration`).
 */
export const MODEL_INTEGRATION_CHANGE_SCHEMA = {
  type: 'object',
  title: 'ModelIntegrationChangeData',
  additionalProperties: false,
  required: ['integration', 'actor'],
  properties: {
    integration: { description: 'Null once removed.', oneOf: [MODEL_INTEGRATION, { type: 'null' }] },
    actor: ACTOR,
  },
} as const;

/**
 * `data` of `com.zt.bus.dead_lettered` on `zt.dead.letters` (key: the dead letter's event id): an
 * event a consumer refused, never applied. Only safe facts in text (escaped, clipped); the
 * refused event itself is base64-encoded.
 */
export const BUS_DEAD_LETTER_SCHEMA = {
  type: 'object',
  title: 'BusDeadLetterData',
  additionalProperties: false,
  required: [
    'consumer',
    'reason',
    'problems',
    'topic',
    'partition',
    'offset',
    'message_id',
    'message_type',
    'event_base64',
    'event_bytes',
    'event_sha256',
  ],
  properties: {
    consumer: { type: 'string', maxLength: 128, description: 'The consuming service that refused it.' },
    reason: { enum: ['unsafe_input', 'invalid'] },
    problems: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pointer', 'detail'],
        properties: {
          pointer: { type: 'string', maxLength: 2048 },
          detail: { type: 'string', maxLength: 2048 },
        },
      },
    },
    topic: { type: 'string', maxLength: 256 },
    partition: { oneOf: [COUNT, { type: 'null' }] },
    offset: { oneOf: [{ type: 'string', pattern: '^[0-9]{1,20}$' }, { type: 'null' }] },
    message_id: {
      type: 'string',
      maxLength: 2048,
      description: 'The refused event’s id, JSON-escaped and clipped.',
    },
    message_type: { type: 'string', maxLength: 2048 },
    event_base64: {
      type: 'string',
      maxLength: 65_536,
      contentEncoding: 'base64',
      description: 'The refused event as JSON, its first 48 KiB when longer.',
    },
    event_bytes: { ...COUNT, description: 'Size of the refused event’s JSON in bytes.' },
    event_sha256: { ...SHA256_HEX, description: 'SHA-256 of the whole refused event’s JSON.' },
  },
} as const;
