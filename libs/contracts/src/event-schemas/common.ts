/**
 * Building blocks of the event schemas. Every schema here is plain JSON Schema draft-07, the
 * dialect AsyncAPI 3.0's default schema format extends, so the same objects are compiled by the
 * consumers' validators and published as they are in `/asyncapi.json`.
 */

/** A JSON Schema, as the AsyncAPI document and ajv both take it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * The longest identifier an event carries. Ids of principals, resources and policies come from
 * URL paths, which the HTTP edge bounds at 8192 characters: the bus holds them to the same bound,
 * so a consumer never refuses what the HTTP intake accepted.
 */
export const MAX_EVENT_ID_LENGTH = 8192;

/** A non-empty identifier (policy, principal, resource, device, instance or event id). */
export const IDENTIFIER = { type: 'string', minLength: 1, maxLength: MAX_EVENT_ID_LENGTH } as const;

/** An instant in RFC 3339 form (`2026-01-31T12:00:00.000Z`). */
export const INSTANT = { type: 'string', format: 'date-time', maxLength: 64 } as const;

/** A count or revision: a non-negative safe integer. */
export const COUNT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** Who caused a change (the caller's token subject and roles). */
export const ACTOR = {
  type: 'object',
  description: 'Who caused the change: the subject and roles of the caller’s token.',
  additionalProperties: false,
  required: ['sub', 'roles'],
  properties: {
    sub: { type: 'string', maxLength: MAX_EVENT_ID_LENGTH },
    roles: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 256 } },
  },
} as const;

/** The change reason given in the `zt-change-reason` header (at most 500 characters there). */
export const REASON = { type: 'string', maxLength: 500, description: 'Why, as the caller said.' } as const;

/** Bounded free JSON object: the untrusted-input rule (depth, sizes) holds it further. */
export const OBJECT = { type: 'object', maxProperties: 1000 } as const;

/**
 * The CloudEvents 1.0 structured-mode envelope every topic carries, for one `type` and `data`.
 * Kafka records carry it as their value (content type `application/cloudevents+json`), with the
 * correlation id also in the `x-correlation-id` header.
 */
export function cloudEventSchema(type: string, data: JsonSchema, title: string): JsonSchema {
  return {
    type: 'object',
    title,
    // CloudEvents extension attributes (lower-case letters and digits, scalars) are allowed.
    propertyNames: { pattern: '^[a-z0-9]{1,20}$' },
    additionalProperties: { type: ['string', 'number', 'boolean'], maxLength: 1024 },
    required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { ...IDENTIFIER, description: 'Unique per event; consumers deduplicate by it.' },
      source: { type: 'string', minLength: 1, maxLength: 256, description: 'The producing service.' },
      type: { const: type },
      time: { ...INSTANT, description: 'When the event was produced.' },
      subject: { type: 'string', maxLength: MAX_EVENT_ID_LENGTH },
      datacontenttype: { const: 'application/json' },
      correlationid: {
        type: 'string',
        maxLength: 128,
        description: 'The correlation id of the request that caused the event.',
      },
      data,
    },
  };
}
