import Ajv from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';

const NAMES = {
  type: 'array',
  maxItems: 100,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

/** JSON Schema of `PUT /principals/{id}` (the id comes from the path). */
export const PRINCIPAL_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { enum: ['user', 'service', 'workload', 'device'] },
    roles: NAMES,
    groups: NAMES,
    attributes: { type: 'object', maxProperties: 100 },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(PRINCIPAL_BODY_SCHEMA);

/** Field errors of a principal body, each with its JSON pointer; empty when valid. */
export function principalBodyErrors(body: unknown): FieldError[] {
  return schemaFieldErrors(validate, body);
}
