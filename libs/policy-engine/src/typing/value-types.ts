import type { ResourceMatcher } from '../model';
import type { AttributeSchema, AttributeSet, AttributeType } from './attribute-schema';

/**
 * The types the checker reasons with. Numbers are one kind: a request is JSON, so every number
 * reaches CEL as a double, and CEL compares doubles with int literals (`x > 1`) as numbers.
 * `dyn` is unknown: it is never refused. An object is closed: a member it does not declare is
 * refused (a misspelt attribute); a map is open.
 */
export type ValueType =
  | { kind: 'dyn' | 'string' | 'number' | 'bool' | 'bytes' | 'null' | 'timestamp' | 'duration' | 'type' }
  | { kind: 'list'; items: ValueType }
  | { kind: 'map'; values: ValueType }
  | { kind: 'object'; name: string; members: Record<string, ValueType> };

/** The few types used by name. */
export const DYN: ValueType = { kind: 'dyn' };
export const STRING: ValueType = { kind: 'string' };
export const NUMBER: ValueType = { kind: 'number' };
export const BOOL: ValueType = { kind: 'bool' };
const ANY_MAP: ValueType = { kind: 'map', values: DYN };
const STRINGS: ValueType = { kind: 'list', items: STRING };

/** How a type is named in a message. */
export function typeName(type: ValueType): string {
  if (type.kind === 'list') return `list of ${typeName(type.items)}`;
  if (type.kind === 'map') return `map of ${typeName(type.values)}`;
  return type.kind === 'object' ? type.name : type.kind;
}

/** The checker's type of a declared attribute. A timestamp is the RFC 3339 string JSON carries. */
export function attributeType(attribute: AttributeType, name: string): ValueType {
  switch (attribute.type) {
    case 'string':
    case 'timestamp':
      return STRING;
    case 'int':
    case 'double':
      return NUMBER;
    case 'bool':
      return BOOL;
    case 'any':
      return DYN;
    case 'list':
      return { kind: 'list', items: attributeType(attribute.items, `${name}[]`) };
    case 'map':
      return { kind: 'map', values: attributeType(attribute.values, `${name}[]`) };
    case 'object':
      return propertiesType(attribute.properties, name);
  }
}

function propertiesType(properties: Record<string, AttributeType>, name: string): ValueType {
  const members: Record<string, ValueType> = {};
  for (const [key, attribute] of Object.entries(properties)) {
    members[key] = attributeType(attribute, `${name}.${key}`);
  }
  return { kind: 'object', name, members };
}

function sameType(a: ValueType, b: ValueType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The properties a policy's resources may have: the union of the resource types it can match
 * (its typed matchers' types, or every declared type when one matcher is untyped) and `*`. A
 * property two types declare differently is dyn; a type the schema does not declare (without a
 * `*`) leaves the properties untyped.
 */
export function resourcePropertiesType(schema: AttributeSchema, matchers: ResourceMatcher[]): ValueType {
  const declared = schema.resources;
  if (!declared) return ANY_MAP;
  const untyped = matchers.some((m) => m.type === undefined);
  const types = untyped ? Object.keys(declared) : [...new Set(matchers.map((m) => m.type as string))];
  const sets: AttributeSet[] = [];
  for (const type of types) {
    const set = Object.hasOwn(declared, type) ? declared[type] : undefined;
    if (set) sets.push(set);
    else if (!Object.hasOwn(declared, '*')) return ANY_MAP;
  }
  if (Object.hasOwn(declared, '*')) sets.push(declared['*']);
  if (sets.length === 0) return ANY_MAP;
  const members: Record<string, ValueType> = {};
  for (const set of sets) {
    for (const [key, attribute] of Object.entries(set.properties)) {
      const type = attributeType(attribute, `resource.properties.${key}`);
      const known = Object.hasOwn(members, key) ? members[key] : undefined;
      members[key] = known === undefined || sameType(known, type) ? type : DYN;
    }
  }
  return { kind: 'object', name: 'resource.properties', members };
}

/**
 * The context keys the engine itself reads (docs/policy-language.md), declared whether or not the
 * schema lists them: the decision service adds them to every request.
 */
const ENGINE_CONTEXT: Record<string, ValueType> = {
  device: ANY_MAP,
  device_posture: DYN,
  ip: STRING,
  vpn: BOOL,
  network: ANY_MAP,
  country: STRING,
  time: STRING,
  amr: STRINGS,
  authentication_strength: STRING,
  mfa: BOOL,
  risk_score: NUMBER,
  port: NUMBER,
};

/** The declared properties of one part, or an open map when the schema leaves it out. */
export function setType(set: AttributeSet | undefined, name: string, implicit = {}): ValueType {
  if (!set) return ANY_MAP;
  const declared = propertiesType(set.properties, name);
  return declared.kind === 'object'
    ? { ...declared, members: { ...implicit, ...declared.members } }
    : declared;
}

/** The type of the context under a schema. */
export function contextType(schema: AttributeSchema): ValueType {
  return setType(schema.context, 'context', ENGINE_CONTEXT);
}

/** The variables an expression sees (see expression-bindings.ts), typed by the schema if any. */
export function bindingTypes(
  schema: AttributeSchema | undefined,
  resources: ResourceMatcher[],
): Record<string, ValueType> {
  if (!schema) return { subject: ANY_MAP, resource: ANY_MAP, action: STRING, context: ANY_MAP };
  const subjectProperties = setType(schema.subject, 'subject.properties');
  const resourceProperties = resourcePropertiesType(schema, resources);
  return {
    subject: {
      kind: 'object',
      name: 'subject',
      members: {
        id: STRING,
        type: STRING,
        roles: STRINGS,
        groups: STRINGS,
        properties: subjectProperties,
        attributes: subjectProperties,
      },
    },
    resource: {
      kind: 'object',
      name: 'resource',
      members: { id: STRING, type: STRING, properties: resourceProperties, attributes: resourceProperties },
    },
    action: STRING,
    context: contextType(schema),
  };
}
