import Ajv from 'ajv';
import { PRINCIPAL_PROPERTIES } from '@zt/contracts';
import { FieldError, schemaFieldErrors } from '@zt/http';

/** JSON Schema of `PUT /principals/{id}` (the id comes from the path). */
export const PRINCIPAL_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: PRINCIPAL_PROPERTIES,
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(PRINCIPAL_BODY_SCHEMA);

/** Field errors of a principal body, each with its JSON pointer; empty when valid. */
export function principalBodyErrors(body: unknown): FieldError[] {
  return schemaFieldErrors(validate, body);
}
