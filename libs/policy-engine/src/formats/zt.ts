import Ajv from 'ajv';
import { DEFAULT_LOCATION_SETS } from '../countries';
import type {
  CanonicalPolicy,
  Condition,
  ParseResult,
  SubjectKind,
  SubjectMatcher,
  ValidationIssue,
} from '../model';
import { AUTHENTICATION_STRENGTHS } from '../model';
import { pointerSegment, schemaIssues, semantic } from '../validation';
import { FormatOptions, subjectKey } from './format-options';

const NAME = { type: 'string', minLength: 1, maxLength: 256 } as const;
const LIST = (items: object) => ({ type: 'array', minItems: 1, maxItems: 100, items }) as const;
const SUBJECT_KINDS: SubjectKind[] = ['user', 'group', 'role', 'service', 'workload', 'device'];

/** JSON Schema of seed 000's policy shape, the API's own; reserved condition names are typed. */
export const ZT_POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'subjects', 'resources', 'actions', 'effect'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' },
    name: NAME,
    description: { type: 'string', maxLength: 4096 },
    subjects: LIST({ type: 'string', maxLength: 256, pattern: `^(\\*|(${SUBJECT_KINDS.join('|')}):\\S+)$` }),
    resources: LIST(NAME),
    actions: LIST(NAME),
    conditions: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.]{0,63}$' },
      properties: {
        device_posture: {
          anyOf: [
            { type: 'string', maxLength: 64 },
            { type: 'array', items: { type: 'string', maxLength: 64 } },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                managed: { type: 'boolean' },
                encryptionEnabled: { type: 'boolean' },
                osVersion: { type: 'string', maxLength: 64 },
                edrInstalled: { type: 'boolean' },
              },
            },
          ],
        },
        location: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        ip_ranges: { type: 'array', items: { type: 'string' } },
        require_vpn: { type: 'boolean' },
        time_window: { type: 'string' },
        risk_score_max: { type: 'number', minimum: 0, maximum: 100 },
        authentication_strength: { enum: [...AUTHENTICATION_STRENGTHS] },
        mfa: { type: 'boolean' },
        expression: { type: 'string' },
      },
      additionalProperties: {
        anyOf: [
          { type: 'string', maxLength: 256 },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 256 } },
        ],
      },
    },
    effect: { enum: ['allow', 'deny', 'require_mfa', 'isolate'] },
    enforcementMode: { enum: ['enforce', 'audit', 'disabled'] },
  },
} as const;

const validateShape = new Ajv({ allErrors: true, strict: true }).compile(ZT_POLICY_SCHEMA);

function subjectMatcher(text: string): SubjectMatcher {
  if (text === '*') return { kind: 'any' };
  const colon = text.indexOf(':');
  return { kind: text.slice(0, colon) as SubjectKind, value: text.slice(colon + 1) };
}

/** The one network condition of a list (ip_ranges and require_vpn both describe it). */
function network(conditions: Condition[]): Extract<Condition, { kind: 'network' }> {
  const found = conditions.find((c): c is Extract<Condition, { kind: 'network' }> => c.kind === 'network');
  if (found) return found;
  const created: Extract<Condition, { kind: 'network' }> = { kind: 'network' };
  conditions.push(created);
  return created;
}

/** Converts the conditions map; reserved names become typed conditions, others named attributes. */
function conditionsOf(
  map: Record<string, unknown>,
  options: FormatOptions,
  issues: ValidationIssue[],
): Condition[] {
  const sets = { ...DEFAULT_LOCATION_SETS, ...(options.engine?.locationSets ?? {}) };
  const out: Condition[] = [];
  const at = (name: string) => `/conditions/${pointerSegment(name)}`;
  for (const [name, value] of Object.entries(map)) {
    switch (name) {
      case 'device_posture':
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          out.push({ kind: 'device_checks', checks: value });
        } else {
          out.push({
            kind: 'device_posture',
            postures: Array.isArray(value) ? (value as string[]) : [value as string],
          });
        }
        break;
      case 'location': {
        const codes = Array.isArray(value) ? (value as string[]) : undefined;
        if (codes) {
          codes.forEach((c, i) => issues.push(...semantic.country(c, `${at(name)}/${i}`)));
          out.push({ kind: 'location', countries: codes });
        } else if (typeof value === 'string' && Object.hasOwn(sets, value)) {
          // Own members only: `constructor` or `__proto__` must not name Object.prototype's.
          out.push({ kind: 'location', set: value, countries: [...sets[value]] });
        } else {
          issues.push(
            ...semantic.country(value, at(name)).map((i) => ({
              ...i,
              message: `must be a named location (${Object.keys(sets).join(', ')}) or an ISO 3166-1 alpha-2 code`,
            })),
          );
          out.push({ kind: 'location', set: String(value), countries: [String(value)] });
        }
        break;
      }
      case 'ip_ranges':
        (value as string[]).forEach((c, i) => issues.push(...semantic.cidr(c, `${at(name)}/${i}`)));
        network(out).cidrs = value as string[];
        break;
      case 'require_vpn':
        network(out).requireVpn = value as boolean;
        break;
      case 'time_window':
        issues.push(...semantic.timeWindow(value, at(name)));
        out.push({ kind: 'time_window', window: value as string });
        break;
      case 'risk_score_max':
        out.push({ kind: 'risk_max', max: value as number });
        break;
      case 'authentication_strength':
        out.push({
          kind: 'authentication_strength',
          minimum: value as (typeof AUTHENTICATION_STRENGTHS)[number],
        });
        break;
      case 'mfa':
        out.push({ kind: 'mfa', required: value as boolean });
        break;
      case 'expression':
        issues.push(...semantic.expression(value, at(name)));
        out.push({ kind: 'expression', source: value as string });
        break;
      default:
        out.push({ kind: 'attribute', name, value: value as string | number | boolean | string[] });
    }
  }
  return out;
}

/** Validates and converts a seed 000 policy document. */
export function parseZtPolicy(input: Record<string, unknown>, options: FormatOptions): ParseResult {
  if (!validateShape(input)) return { ok: false, errors: schemaIssues(validateShape.errors) };
  const issues: ValidationIssue[] = [];
  const resources = input.resources as string[];
  resources.forEach((r, i) => issues.push(...semantic.glob(r, `/resources/${i}`)));
  const conditions = conditionsOf(
    (input.conditions as Record<string, unknown> | undefined) ?? {},
    options,
    issues,
  );
  const id = (input.id as string | undefined) ?? options.defaultId;
  if (id === undefined) issues.push({ pointer: '/id', message: 'is required' });
  if (issues.length > 0 || id === undefined) return { ok: false, errors: issues };
  const policy: CanonicalPolicy = {
    id,
    version: options.version ?? 1,
    name: input.name as string,
    ...(typeof input.description === 'string' ? { description: input.description } : {}),
    effect: input.effect as CanonicalPolicy['effect'],
    enforcementMode: (input.enforcementMode as CanonicalPolicy['enforcementMode'] | undefined) ?? 'enforce',
    subjects: (input.subjects as string[]).map(subjectMatcher),
    resources: resources.map((pattern) => ({ pattern })),
    actions: input.actions as string[],
    conditions,
    sourceFormat: 'zt',
  };
  return { ok: true, policy, format: 'zt' };
}

/** The seed 000 conditions map of canonical conditions (the inverse of parsing). */
function conditionsMap(conditions: Condition[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const c of conditions) {
    switch (c.kind) {
      case 'device_posture':
        map.device_posture = c.postures.length === 1 ? c.postures[0] : c.postures;
        break;
      case 'device_checks':
        map.device_posture = c.checks;
        break;
      case 'location':
        map.location = c.set ?? c.countries;
        break;
      case 'network':
        if (c.cidrs) map.ip_ranges = c.cidrs;
        if (c.requireVpn !== undefined) map.require_vpn = c.requireVpn;
        break;
      case 'time_window':
        map.time_window = c.window;
        break;
      case 'risk_max':
        map.risk_score_max = c.max;
        break;
      case 'authentication_strength':
        map.authentication_strength = c.minimum;
        break;
      case 'mfa':
        map.mfa = c.required;
        break;
      case 'expression':
        map.expression = c.source;
        break;
      case 'attribute':
        map[c.name] = c.value;
        break;
    }
  }
  return map;
}

/** Writes a canonical policy in seed 000's shape (subject IdPs and resource types have no place there). */
export function exportZtPolicy(policy: CanonicalPolicy): Record<string, unknown> {
  const conditions = conditionsMap(policy.conditions);
  return {
    id: policy.id,
    name: policy.name,
    ...(policy.description === undefined ? {} : { description: policy.description }),
    subjects: policy.subjects.map(subjectKey),
    resources: policy.resources.map((r) => r.pattern),
    actions: policy.actions,
    ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
    effect: policy.effect,
    ...(policy.enforcementMode === 'enforce' ? {} : { enforcementMode: policy.enforcementMode }),
  };
}
