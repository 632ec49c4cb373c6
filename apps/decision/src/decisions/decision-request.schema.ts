import Ajv from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';

// Bounds on untrusted input: a decision request is small; anything bigger is an attack or a bug.
const ID = { type: 'string', minLength: 1, maxLength: 512 } as const;
const NAMES = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 256 } } as const;
const ATTRIBUTES = { type: 'object', maxProperties: 100 } as const;

/** JSON Schema of the native decision request body. */
export const DECISION_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'resource'],
  properties: {
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        type: { type: 'string', maxLength: 64 },
        id: ID,
        roles: NAMES,
        groups: NAMES,
        attributes: ATTRIBUTES,
      },
    },
    action: { type: 'string', minLength: 1, maxLength: 256 },
    resource: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { type: { type: 'string', maxLength: 64 }, id: ID, attributes: ATTRIBUTES },
    },
    context: { type: 'object', maxProperties: 100 },
    min_revision: { type: 'integer', minimum: 0 },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(DECISION_REQUEST_SCHEMA);

/** Field errors of a decision request, each with the JSON pointer of the offending field; empty when valid. */
export function decisionRequestErrors(body: unknown): FieldError[] {
  return schemaFieldErrors(validate, body);
}
