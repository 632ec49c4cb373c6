import type { JsonSchema } from './api-operation';

// Keywords whose value is one subschema, and those whose value is a list or a map of them: the
// places a walk may descend into. Anything else (`enum`, `const`, `default`, `examples`, the
// names in `required`) is data, even when it looks like a schema.
const ONE_SCHEMA = [
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit` on a schema and every subschema in it, with the JSON pointer of each. */
export function walkSchema(
  schema: unknown,
  visit: (schema: JsonSchema, pointer: string) => void,
  pointer = '',
): void {
  if (!isSchema(schema)) return;
  visit(schema, pointer);
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const key of ONE_SCHEMA) walkSchema(schema[key], visit, `${pointer}/${key}`);
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((s, i) => walkSchema(s, visit, `${pointer}/${key}/${i}`));
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (isSchema(map)) {
      for (const [name, s] of Object.entries(map)) walkSchema(s, visit, `${pointer}/${key}/${escape(name)}`);
    }
  }
}

function isObjectSchema(schema: JsonSchema): boolean {
  const type = schema.type;
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
}

// A schema that says what its members are some other way than `properties`.
const SHAPED_BY = ['properties', 'additionalProperties', 'patternProperties', 'unevaluatedProperties'];
const COMPOSED_BY = ['allOf', 'anyOf', 'oneOf', '$ref', 'const', 'enum'];

/**
 * A copy of `schema` where every object schema that names no member says it is free-form
 * (`additionalProperties: true`). JSON Schema already means that; code generators do not read it
 * so (openapi-typescript makes `{ type: 'object' }` a `Record<string, never>`, which nothing can
 * be read from). The meaning for validators is unchanged.
 */
export function withExplicitFreeForm(schema: JsonSchema): JsonSchema {
  const copy = structuredClone(schema);
  walkSchema(copy, (s) => {
    if (!isObjectSchema(s)) return;
    if (SHAPED_BY.some((k) => k in s) || COMPOSED_BY.some((k) => k in s)) return;
    s.additionalProperties = true;
  });
  return copy;
}

const COMPOSITIONS = ['allOf', 'anyOf', 'oneOf'];

/**
 * Where a schema lists `required` members it does not define: a generated client cannot read
 * them (they become `Record<string, never>` or `unknown`). A member may be defined by a
 * composition beside it (allOf/anyOf/oneOf, `$ref`), by a typed `additionalProperties`, or, for
 * a branch of a composition, by the schema that composes it (`oneOf: [{ required: ['a'] }, …]`).
 */
export function undefinedRequiredMembers(schema: unknown, at = ''): string[] {
  const found: string[] = [];
  const inherited = new WeakMap<JsonSchema, JsonSchema>();
  walkSchema(
    schema,
    (s, pointer) => {
      const own = isSchema(s.properties) ? s.properties : {};
      const properties = { ...(inherited.get(s) ?? {}), ...own };
      for (const key of COMPOSITIONS) {
        const branches = s[key];
        if (Array.isArray(branches)) for (const b of branches) if (isSchema(b)) inherited.set(b, properties);
      }
      if (!Array.isArray(s.required) || s.required.length === 0) return;
      if ([...COMPOSITIONS, '$ref'].some((k) => k in s)) return;
      if (isSchema(s.additionalProperties)) return;
      const missing = (s.required as unknown[]).filter(
        (name) => typeof name !== 'string' || !Object.hasOwn(properties, name),
      );
      if (missing.length > 0) found.push(`${pointer || '/'}: ${missing.join(', ')}`);
    },
    at,
  );
  return found;
}
