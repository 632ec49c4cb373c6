import Ajv from 'ajv';
import { PRINCIPAL_PROPERTIES } from '../event-schemas/policy-changes';
import { schemaProblems } from '../schema-problems';
import type { InputProblem } from '../untrusted-input';

/** JSON Schema of `PUT /principals/{id}` (the id comes from the path). */
export const PRINCIPAL_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: PRINCIPAL_PROPERTIES,
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(PRINCIPAL_BODY_SCHEMA);

/** Field errors of a principal body, each with its JSON pointer; empty when valid. */
export function principalBodyErrors(body: unknown): InputProblem[] {
  return schemaProblems(validate, body);
}
