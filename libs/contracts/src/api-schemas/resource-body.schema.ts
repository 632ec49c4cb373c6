import Ajv from 'ajv';
import { schemaProblems } from '../schema-problems';
import type { InputProblem } from '../untrusted-input';

/** JSON Schema of `PUT /resources/{type}/{id}` (type and id come from the path). */
export const RESOURCE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    properties: {
      type: 'object',
      maxProperties: 100,
      description: 'What the organisation knows about the resource (owner, department…); any JSON values',
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(RESOURCE_BODY_SCHEMA);

/** Field errors of a resource body, each with its JSON pointer; empty when valid. */
export function resourceBodyErrors(body: unknown): InputProblem[] {
  return schemaProblems(validate, body);
}
