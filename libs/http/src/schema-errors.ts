import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FieldError } from './problem';

/** RFC 6901 escaping of one pointer segment. */
function segment(name: unknown): string {
  return String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON pointer of an ajv error, pointing at the missing or unexpected member itself. */
function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'required') return `${error.instancePath}/${segment(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${segment(error.params.additionalProperty)}`;
  return error.instancePath;
}

/** Validates a body with a compiled JSON Schema; one field error per problem, empty when valid. */
export function schemaFieldErrors(validate: ValidateFunction, body: unknown): FieldError[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => ({ pointer: pointerOf(e), detail: e.message ?? e.keyword }));
}
