import Ajv, { ErrorObject } from 'ajv';
import { DEFAULT_LOCATION_SETS } from './location-sets';
import type {
  CanonicalPolicy,
  Condition,
  EngineOptions,
  ParseResult,
  SubjectMatcher,
  ValidationIssue,
} from './model';

// Bounds on untrusted input: large enough for real policies, small enough to never hurt the PDP.
const LIMITS = { names: 256, list: 100, conditions: 50 };

const SUBJECT_PATTERN = '^(\\*|(user|group|role|service):[^\\s]+)$';
const CONDITION_VALUE = {
  anyOf: [
    { type: 'string', maxLength: LIMITS.names },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', maxItems: LIMITS.list, items: { type: 'string', maxLength: LIMITS.names } },
  ],
};

/** JSON Schema of seed 000's policy shape (the API's own). */
export const ZT_POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'subjects', 'resources', 'actions', 'effect'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' },
    name: { type: 'string', minLength: 1, maxLength: LIMITS.names },
    description: { type: 'string', maxLength: 4096 },
    subjects: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.list,
      items: { type: 'string', maxLength: LIMITS.names, pattern: SUBJECT_PATTERN },
    },
    resources: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.list,
      items: { type: 'string', minLength: 1, maxLength: LIMITS.names },
    },
    actions: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.list,
      items: { type: 'string', minLength: 1, maxLength: LIMITS.names },
    },
    conditions: {
      type: 'object',
      maxProperties: LIMITS.conditions,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.]{0,63}$' },
      additionalProperties: CONDITION_VALUE,
    },
    effect: { enum: ['allow', 'deny', 'require_mfa', 'isolate'] },
    enforcementMode: { enum: ['enforce', 'audit', 'disabled'] },
  },
} as const;

const validateShape = new Ajv({ allErrors: true, strict: true }).compile(ZT_POLICY_SCHEMA);

/** The JSON pointer of an ajv error, pointing at the missing or unexpected member itself. */
export function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'required') return `${error.instancePath}/${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String(error.params.additionalProperty)}`;
  }
  return error.instancePath;
}

function issues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  // anyOf reports every branch; the pointer plus one message is what a user can act on.
  const seen = new Set<string>();
  return (errors ?? [])
    .map((e) => ({ pointer: pointerOf(e), message: e.message ?? e.keyword, keyword: e.keyword }))
    .filter((i) => (seen.has(i.pointer) ? false : (seen.add(i.pointer), true)));
}

function subjectMatcher(text: string): SubjectMatcher {
  if (text === '*') return { kind: 'any' };
  const colon = text.indexOf(':');
  return {
    kind: text.slice(0, colon) as Exclude<SubjectMatcher['kind'], 'any'>,
    value: text.slice(colon + 1),
  };
}

function condition(name: string, value: unknown, locationSets: Record<string, readonly string[]>): Condition {
  if (name === 'device_posture' && typeof value === 'string')
    return { kind: 'device_posture', posture: value };
  if (name === 'location' && typeof value === 'string') {
    const countries = locationSets[value] ?? [value.toUpperCase()];
    return { kind: 'location', set: value, countries: [...countries] };
  }
  if (typeof value === 'number') return { kind: 'at_most', attribute: name, limit: value };
  if (Array.isArray(value)) return { kind: 'one_of', attribute: name, values: value as string[] };
  return { kind: 'equals', attribute: name, value: value as string | boolean };
}

function semanticIssues(
  input: Record<string, unknown>,
  locationSets: Record<string, readonly string[]>,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const location = (input.conditions as Record<string, unknown> | undefined)?.location;
  if (typeof location === 'string' && !(location in locationSets) && !/^[A-Z]{2}$/.test(location)) {
    out.push({
      pointer: '/conditions/location',
      message: `must be a named location (${Object.keys(locationSets).join(', ')}) or an ISO 3166-1 alpha-2 code`,
    });
  }
  return out;
}

/** Validates and converts a seed 000 policy document. */
export function parseZtPolicy(
  input: unknown,
  options: { defaultId?: string; version?: number; engine?: EngineOptions },
): ParseResult {
  if (!validateShape(input)) return { ok: false, errors: issues(validateShape.errors) };
  const doc = input as unknown as Record<string, unknown>;
  const locationSets = { ...DEFAULT_LOCATION_SETS, ...(options.engine?.locationSets ?? {}) };
  const errors = semanticIssues(doc, locationSets);
  const id = (doc.id as string | undefined) ?? options.defaultId;
  if (id === undefined) errors.push({ pointer: '/id', message: 'is required' });
  if (errors.length > 0 || id === undefined) return { ok: false, errors };
  const conditionsSource = (doc.conditions as Record<string, unknown> | undefined) ?? {};
  const policy: CanonicalPolicy = {
    id,
    version: options.version ?? 1,
    name: doc.name as string,
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    effect: doc.effect as CanonicalPolicy['effect'],
    enforcementMode: (doc.enforcementMode as CanonicalPolicy['enforcementMode'] | undefined) ?? 'enforce',
    subjects: (doc.subjects as string[]).map(subjectMatcher),
    resources: doc.resources as string[],
    actions: doc.actions as string[],
    conditions: Object.entries(conditionsSource).map(([name, value]) => condition(name, value, locationSets)),
    conditionsSource,
    sourceFormat: 'zt',
  };
  return { ok: true, policy, format: 'zt' };
}

/** Writes a canonical policy back in seed 000's shape. */
export function exportZtPolicy(policy: CanonicalPolicy): Record<string, unknown> {
  return {
    id: policy.id,
    name: policy.name,
    ...(policy.description === undefined ? {} : { description: policy.description }),
    subjects: policy.subjects.map((s) => (s.kind === 'any' ? '*' : `${s.kind}:${s.value}`)),
    resources: policy.resources,
    actions: policy.actions,
    ...(policy.conditionsSource && Object.keys(policy.conditionsSource).length > 0
      ? { conditions: policy.conditionsSource }
      : {}),
    effect: policy.effect,
    ...(policy.enforcementMode === 'enforce' ? {} : { enforcementMode: policy.enforcementMode }),
  };
}
