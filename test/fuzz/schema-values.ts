import fc from 'fast-check';
import { JsonSchema } from './api-operations';

// Generated values stay small: the point is the shape a schema allows, the hostile sizes come
// from hostile-values.ts.
const SMALL = 4;

/** A loose JSON value, for schemas that allow anything (`{}`, free-form objects). */
export const looseJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

/** Values that a JSON schema accepts (or nearly: `pattern` and `format` are honoured, semantics are not). */
export function valueOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueOf(s, depth)));
  if (Array.isArray(schema.type))
    return fc.oneof(...schema.type.map((type) => valueOf({ ...schema, type }, depth)));
  switch (schema.type) {
    case 'object':
      return objectOf(schema, depth);
    case 'array':
      return fc.array(valueOf(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? SMALL, SMALL)),
      });
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case undefined:
    default:
      return looseJson;
  }
}

function objectOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length === 0 || depth > 3) {
    return fc.dictionary(fc.string({ maxLength: 8 }), looseJson, { maxKeys: SMALL });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = valueOf(property, depth + 1);
  return fc.record(model, { requiredKeys: schema.required ?? [] });
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 16, 16));
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  }
  if (schema.pattern) {
    const longest = schema.maxLength ?? Number.MAX_SAFE_INTEGER;
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((text) => text.length >= minLength && text.length <= longest);
  }
  return fc.string({ minLength, maxLength });
}
