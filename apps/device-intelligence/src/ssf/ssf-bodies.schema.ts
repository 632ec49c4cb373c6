import Ajv, { ValidateFunction } from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';
import { SUBJECT_ID_SCHEMA } from './subject-id';

/** RFC 8936: the only delivery method this step serves. Push (RFC 8935) comes next. */
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';
/** RFC 8935 push delivery, named so a receiver asking for it is told it is not served yet. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
/** Stream status values (SSF 1.0 §8.1.2). */
export const STREAM_STATUSES = ['enabled', 'paused', 'disabled'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

// Bounds on what a receiver may send: a stream is a few URIs and a label, a poll a batch of ids.
const STREAM_ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const EVENT_TYPE = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z][A-Za-z0-9+.-]*:',
} as const;
const EVENT_TYPES = { type: 'array', maxItems: 32, uniqueItems: true, items: EVENT_TYPE } as const;
const DESCRIPTION = { type: 'string', maxLength: 256 } as const;
const DELIVERY = {
  type: 'object',
  additionalProperties: false,
  required: ['method'],
  properties: {
    method: { enum: [POLL_DELIVERY], description: `Only poll delivery (${POLL_DELIVERY}) in this version` },
    // Transmitter-supplied for poll: a receiver may echo it back, it is ignored.
    endpoint_url: { type: 'string', maxLength: 2048 },
  },
} as const;
/** Transmitter-supplied members a receiver may echo back in an update; they are ignored (SSF §8.1.1.3). */
const TRANSMITTER_SUPPLIED = {
  iss: { type: 'string', maxLength: 2048 },
  aud: {
    anyOf: [
      { type: 'string', maxLength: 512 },
      { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 512 } },
    ],
  },
  events_supported: EVENT_TYPES,
  events_delivered: EVENT_TYPES,
  min_verification_interval: { type: 'integer', minimum: 0, maximum: 86_400 },
  inactivity_timeout: { type: 'integer', minimum: 0, maximum: 31_536_000 },
} as const;
const RECEIVER_SUPPLIED = {
  events_requested: EVENT_TYPES,
  delivery: DELIVERY,
  description: DESCRIPTION,
} as const;

/** Body of a stream creation (SSF §8.1.1.1): receiver-supplied members only. */
export const CREATE_STREAM_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: RECEIVER_SUPPLIED,
} as const;

/** Body of a stream update or replacement (SSF §8.1.1.3, §8.1.1.4). */
export const UPDATE_STREAM_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['stream_id'],
  properties: { stream_id: STREAM_ID, ...RECEIVER_SUPPLIED, ...TRANSMITTER_SUPPLIED },
} as const;

/** Body of a status update (SSF §8.1.2.2). */
export const STATUS_UPDATE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['stream_id', 'status'],
  properties: { stream_id: STREAM_ID, status: { enum: STREAM_STATUSES }, reason: DESCRIPTION },
} as const;

/** Body of an add-subject request (SSF §8.1.3.2). */
export const ADD_SUBJECT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['stream_id', 'subject'],
  properties: { stream_id: STREAM_ID, subject: SUBJECT_ID_SCHEMA, verified: { type: 'boolean' } },
} as const;

/** Body of a remove-subject request (SSF §8.1.3.3). */
export const REMOVE_SUBJECT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['stream_id', 'subject'],
  properties: { stream_id: STREAM_ID, subject: SUBJECT_ID_SCHEMA },
} as const;

/** Body of a verification request (SSF §8.1.4.2). */
export const VERIFICATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['stream_id'],
  properties: { stream_id: STREAM_ID, state: { type: 'string', maxLength: 256 } },
} as const;

/** Most SETs one poll may acknowledge, report errors on, or ask for. */
export const MAX_POLL_BATCH = 1000;
const JTI = { type: 'string', minLength: 1, maxLength: 128 } as const;

/** Body of a poll request (RFC 8936 §2.4), in the RFC's own camelCase. */
export const POLL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ack: { type: 'array', maxItems: MAX_POLL_BATCH, items: JTI },
    setErrs: {
      type: 'object',
      maxProperties: MAX_POLL_BATCH,
      propertyNames: JTI,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['err', 'description'],
        properties: {
          err: { type: 'string', maxLength: 64 },
          description: { type: 'string', maxLength: 1024 },
        },
      },
    },
    maxEvents: { type: 'integer', minimum: 0, maximum: MAX_POLL_BATCH },
    returnImmediately: { type: 'boolean' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true });
// Compiled once at load: a schema mistake stops the process instead of failing a request.
const compiled = new Map<object, ValidateFunction>(
  [
    CREATE_STREAM_SCHEMA,
    UPDATE_STREAM_SCHEMA,
    STATUS_UPDATE_SCHEMA,
    ADD_SUBJECT_SCHEMA,
    REMOVE_SUBJECT_SCHEMA,
    VERIFICATION_SCHEMA,
    POLL_SCHEMA,
  ].map((schema) => [schema, ajv.compile(schema)]),
);

/** Field errors of an SSF request body against one of the schemas above, each with its JSON pointer. */
export function ssfBodyErrors(schema: object, body: unknown): FieldError[] {
  const validate = compiled.get(schema);
  if (!validate) throw new Error('ssfBodyErrors: not one of the SSF body schemas');
  // Capped: a hostile body must not make a huge error list.
  return schemaFieldErrors(validate, body, 20);
}
