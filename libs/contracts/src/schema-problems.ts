import type { ErrorObject, ValidateFunction } from 'ajv';
import type { InputProblem } from './untrusted-input';

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

/**
 * Validates a value with a compiled JSON Schema: one problem per schema error (at most `max`),
 * each with its JSON pointer, empty when valid. The one mapping of schema errors to pointers, for
 * HTTP bodies and bus events alike.
 */
export function schemaProblems(validate: ValidateFunction, value: unknown, max = Infinity): InputProblem[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .slice(0, max)
    .map((e) => ({ pointer: pointerOf(e), detail: e.message ?? e.keyword }));
}
