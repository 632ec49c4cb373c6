import Ajv from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';

/** JSON Schema of `POST /device-intelligence/integrate`: the seed's body plus the failure choices. */
export const INTEGRATION_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['model_url', 'threshold'],
  properties: {
    model_url: { type: 'string', minLength: 1, maxLength: 2048 },
    threshold: { type: 'number', minimum: 0, maximum: 1 },
    timeout_ms: { type: 'integer', minimum: 50, maximum: 30_000 },
    on_failure: { enum: ['deny', 'allow', 'last_known'] },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(INTEGRATION_BODY_SCHEMA);

/** Field errors of an integration body, each with its JSON pointer; empty when valid. */
export function integrationBodyErrors(body: unknown): FieldError[] {
  return schemaFieldErrors(validate, body);
}
