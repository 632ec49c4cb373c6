import Ajv from 'ajv';
import type { ValidationIssue } from '../model';
import { boundsIssues, schemaIssues } from '../validation';

/** The type of one attribute: a scalar, a list of one type, a map of one type, or an object. */
export type AttributeType =
  | { type: 'string' | 'int' | 'double' | 'bool' | 'timestamp' | 'any'; description?: string }
  | { type: 'list'; items: AttributeType; description?: string }
  | { type: 'map'; values: AttributeType; description?: string }
  | { type: 'object'; properties: Record<string, AttributeType>; description?: string };

/** The declared properties of the subject, of one resource type, or of the context. */
export interface AttributeSet {
  properties: Record<string, AttributeType>;
}

/**
 * What a request's attributes look like: the subject's, each resource type's (`*` for every
 * type) and the context's. A part left out is not typed (anything goes there).
 */
export interface AttributeSchema {
  version: 1;
  subject?: AttributeSet;
  resources?: Record<string, AttributeSet>;
  context?: AttributeSet;
}

const NAME = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

/** JSON Schema (draft 07, as ajv's default) of the attribute schema document. */
export const ATTRIBUTE_SCHEMA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1 },
    subject: { $ref: '#/definitions/set' },
    resources: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: '^(\\*|[A-Za-z0-9_.:-]{1,128})$' },
      additionalProperties: { $ref: '#/definitions/set' },
    },
    context: { $ref: '#/definitions/set' },
  },
  definitions: {
    properties: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: NAME },
      additionalProperties: { $ref: '#/definitions/attribute' },
    },
    set: {
      type: 'object',
      additionalProperties: false,
      required: ['properties'],
      properties: { properties: { $ref: '#/definitions/properties' } },
    },
    attribute: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['string', 'int', 'double', 'bool', 'timestamp', 'any', 'list', 'map', 'object'] },
        description: { type: 'string', maxLength: 1024 },
        items: { $ref: '#/definitions/attribute' },
        values: { $ref: '#/definitions/attribute' },
        properties: { $ref: '#/definitions/properties' },
      },
      additionalProperties: false,
      allOf: [
        {
          if: { properties: { type: { const: 'list' } } },
          then: { required: ['items'], properties: { items: true } },
        },
        {
          if: { properties: { type: { const: 'map' } } },
          then: { required: ['values'], properties: { values: true } },
        },
        {
          if: { properties: { type: { const: 'object' } } },
          then: { required: ['properties'], properties: { properties: true } },
        },
      ],
    },
  },
} as const;

const validateShape = new Ajv({ allErrors: true, strict: true }).compile(ATTRIBUTE_SCHEMA_SCHEMA);

/** Members a type may carry, by its kind: `items` on a list only, and so on. */
function misplacedMembers(value: unknown, pointer: string, issues: ValidationIssue[]): void {
  if (typeof value !== 'object' || value === null) return;
  const attribute = value as Record<string, unknown>;
  const allowed: Record<string, string> = { list: 'items', map: 'values', object: 'properties' };
  for (const member of ['items', 'values', 'properties']) {
    if (member in attribute && allowed[String(attribute.type)] !== member) {
      issues.push({
        pointer: `${pointer}/${member}`,
        message: `is not allowed on a ${String(attribute.type)}`,
      });
    }
  }
  if (attribute.items) misplacedMembers(attribute.items, `${pointer}/items`, issues);
  if (attribute.values) misplacedMembers(attribute.values, `${pointer}/values`, issues);
  for (const [name, member] of Object.entries((attribute.properties as Record<string, unknown>) ?? {})) {
    misplacedMembers(member, `${pointer}/properties/${name}`, issues);
  }
}

/** The result of {@link parseAttributeSchema}. */
export type AttributeSchemaResult =
  { ok: true; schema: AttributeSchema } | { ok: false; errors: ValidationIssue[] };

/**
 * Validates an attribute schema document (bounded like a policy, then its JSON Schema); every
 * issue names its JSON pointer.
 */
export function parseAttributeSchema(input: unknown): AttributeSchemaResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  }
  const bounds = boundsIssues(input);
  if (bounds.length > 0) return { ok: false, errors: bounds };
  if (!validateShape(input)) {
    // The if/then branches add an "if" error beside the real one; it says nothing more.
    return { ok: false, errors: schemaIssues(validateShape.errors?.filter((e) => e.keyword !== 'if')) };
  }
  const schema = input as unknown as AttributeSchema;
  const issues: ValidationIssue[] = [];
  const sets: [string, AttributeSet | undefined][] = [
    ['/subject', schema.subject],
    ['/context', schema.context],
    ...Object.entries(schema.resources ?? {}).map(([type, set]): [string, AttributeSet] => [
      `/resources/${type}`,
      set,
    ]),
  ];
  for (const [pointer, set] of sets) {
    for (const [name, attribute] of Object.entries(set?.properties ?? {})) {
      misplacedMembers(attribute, `${pointer}/properties/${name}`, issues);
    }
  }
  return issues.length > 0 ? { ok: false, errors: issues } : { ok: true, schema };
}
